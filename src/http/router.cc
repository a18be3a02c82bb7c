// Router: pattern parsing, matching and the authorizer/handler call.
#include <algorithm>
#include <exception>
#include <set>

#include "http/http.h"
#include "http/target.h"

namespace slipway::http {

struct Router::Route {
  enum class Kind { kLiteral, kParam, kRest };
  struct Segment {
    Kind kind;
    std::string text;  // the literal, or the capture's name
  };
  std::string method;
  std::string shape;  // the pattern with capture names erased, to find duplicates
  std::vector<Segment> segments;
  int rest = -1;  // index of the {name...} segment
  int literals = 0;
  size_t order = 0;
  Handler handler;
  RouteOptions options;
};

struct Router::Impl {
  std::vector<std::unique_ptr<Route>> routes;
  Authorizer authorizer;
  Status status;
};

namespace {

bool ValidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

Status ParsePattern(std::string_view pattern, Router::Route& route) {
  const std::string where = "route pattern \"" + std::string(pattern) + "\"";
  if (pattern.empty() || pattern.front() != '/') {
    return InvalidArgument(where + ": must start with '/'");
  }
  std::set<std::string, std::less<>> names;
  std::string_view rest = pattern.substr(1);
  while (true) {
    const size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    using Kind = Router::Route::Kind;
    if (!seg.empty() && seg.front() == '{' && seg.back() == '}') {
      std::string_view name = seg.substr(1, seg.size() - 2);
      Kind kind = Kind::kParam;
      if (name.ends_with("...")) {
        name.remove_suffix(3);
        kind = Kind::kRest;
        if (route.rest >= 0) return InvalidArgument(where + ": more than one {name...}");
        route.rest = static_cast<int>(route.segments.size());
      }
      if (!ValidName(name)) return InvalidArgument(where + ": bad capture name");
      if (!names.emplace(name).second) {
        return InvalidArgument(where + ": capture {" + std::string(name) + "} repeated");
      }
      route.segments.push_back({kind, std::string(name)});
      route.shape += kind == Kind::kRest ? "/{...}" : "/{}";
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos) {
        return InvalidArgument(where + ": braces must enclose a whole segment");
      }
      route.segments.push_back({Kind::kLiteral, std::string(seg)});
      route.shape += "/" + std::string(seg);
      ++route.literals;
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return Status::Ok();
}

using Params = std::map<std::string, std::string, std::less<>>;

bool MatchSegment(const Router::Route::Segment& seg, const internal::PathSegment& in,
                  Params& params) {
  if (seg.kind == Router::Route::Kind::kLiteral) return seg.text == in.decoded;
  if (in.decoded.empty() || in.had_slash) return false;
  params[seg.text] = in.decoded;
  return true;
}

std::optional<Params> MatchRoute(const Router::Route& route,
                                 const std::vector<internal::PathSegment>& path) {
  Params params;
  const size_t n = route.segments.size();
  if (route.rest < 0) {
    if (path.size() != n) return std::nullopt;
    for (size_t i = 0; i < n; ++i) {
      if (!MatchSegment(route.segments[i], path[i], params)) return std::nullopt;
    }
    return params;
  }
  const size_t before = static_cast<size_t>(route.rest), after = n - before - 1;
  if (path.size() < n) return std::nullopt;
  for (size_t i = 0; i < before; ++i) {
    if (!MatchSegment(route.segments[i], path[i], params)) return std::nullopt;
  }
  for (size_t i = 0; i < after; ++i) {
    if (!MatchSegment(route.segments[n - 1 - i], path[path.size() - 1 - i], params)) {
      return std::nullopt;
    }
  }
  std::string captured;
  for (size_t i = before; i < path.size() - after; ++i) {
    if (path[i].decoded.empty() || path[i].had_slash) return std::nullopt;
    if (!captured.empty()) captured += '/';
    captured += path[i].decoded;
  }
  params[route.segments[before].text] = std::move(captured);
  return params;
}

}  // namespace

Router::Router() : impl_(std::make_unique<Impl>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Add(std::string method, std::string_view pattern, Handler handler,
                 RouteOptions options) {
  auto route = std::make_unique<Route>();
  route->method = std::move(method);
  route->order = impl_->routes.size();
  route->handler = std::move(handler);
  route->options = std::move(options);
  Status status = ParsePattern(pattern, *route);
  if (status.ok() && !route->handler) status = InvalidArgument("route has no handler");
  for (const auto& other : impl_->routes) {
    if (status.ok() && other->method == route->method && other->shape == route->shape) {
      status =
          InvalidArgument("route " + route->method + " " + std::string(pattern) + " added twice");
    }
  }
  if (!status.ok()) {
    if (impl_->status.ok()) impl_->status = status;
    return;
  }
  impl_->routes.push_back(std::move(route));
}

void Router::SetAuthorizer(Authorizer authorizer) { impl_->authorizer = std::move(authorizer); }

Status Router::status() const { return impl_->status; }

Router::Match Router::Find(std::string_view method, std::string_view encoded_path) const {
  Match match;
  auto path = internal::SplitPath(encoded_path);
  if (!path) return match;
  std::set<std::string> allowed;
  const Route* head_fallback = nullptr;
  Params head_fallback_params;
  auto better = [](const Route* a, const Route* b) {
    return b == nullptr || a->literals > b->literals ||
           (a->literals == b->literals && a->order < b->order);
  };
  for (const auto& route : impl_->routes) {
    auto params = MatchRoute(*route, *path);
    if (!params) continue;
    allowed.insert(route->method);
    if (route->method == "GET") allowed.insert("HEAD");
    if (route->method == method) {
      if (better(route.get(), match.route)) {
        match.route = route.get();
        match.params = std::move(*params);
      }
    } else if (method == "HEAD" && route->method == "GET" && better(route.get(), head_fallback)) {
      head_fallback = route.get();
      head_fallback_params = std::move(*params);
    }
  }
  if (match.route == nullptr && head_fallback != nullptr) {
    match.route = head_fallback;
    match.params = std::move(head_fallback_params);
  }
  if (match.route != nullptr) {
    match.kind = Match::Kind::kFound;
  } else if (!allowed.empty()) {
    match.kind = Match::Kind::kMethodNotAllowed;
    match.allowed.assign(allowed.begin(), allowed.end());
  }
  return match;
}

Response Router::Invoke(const Route& route, Request& request) const {
  try {
    if (!route.options.is_public) {
      const Authorizer& authorize =
          route.options.authorize ? route.options.authorize : impl_->authorizer;
      if (authorize) {
        if (auto rejected = authorize(request)) return std::move(*rejected);
      }
    }
    return route.handler(request);
  } catch (const std::exception&) {
    // what() may carry internals (paths, SQL); the client gets a generic error.
  } catch (...) {
  }
  return Response::JsonError(500, "internal", "the request handler failed");
}

const RouteOptions& Router::options(const Route& route) const { return route.options; }

}  // namespace slipway::http
