#include <cstdio>

int main() {
  std::puts("slipway " SLIPWAY_VERSION);
  return 0;
}
