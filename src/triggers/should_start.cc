// ShouldStart: a push starts a pipeline only through the pipeline's own `on.push` filters.
#include <string>
#include <vector>

#include "triggers/triggers.h"

namespace slipway::triggers {

bool ShouldStart(const spec::Pipeline& pipeline, const PushEvent& event) {
  if (!pipeline.on.push || event.Deleted()) return false;
  // PushTrigger::Matches reads an empty list as "changes unknown": path filters then pass,
  // which is right when the provider's list may be missing files.
  static const std::vector<std::string> kUnknown;
  return pipeline.on.push->Matches(event.ref,
                                   event.changed_files_complete ? event.changed_files : kUnknown);
}

}  // namespace slipway::triggers
