// WorldSignals (world_signals.h): the names of the model's event kinds.
#include "sim/model/world_signals.h"

namespace spotsim {

const char* model_event_kind_name(ModelEventKind k) {
  switch (k) {
    case ModelEventKind::kLaunch: return "launch";
    case ModelEventKind::kRunning: return "running";
    case ModelEventKind::kNotice: return "notice";
    case ModelEventKind::kEviction: return "eviction";
    case ModelEventKind::kCapacityError: return "capacity_error";
    case ModelEventKind::kEnd: return "end";
    case ModelEventKind::kTerminate: return "terminate";
    case ModelEventKind::kBootFailed: return "boot_failed";
    case ModelEventKind::kRebalance: return "rebalance";
  }
  return "?";
}

}  // namespace spotsim
