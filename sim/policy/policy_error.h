#pragma once
// PolicyFailure: how a policy that cannot go on (a Lua hook raised an error, ran out of its
// instruction budget or memory, or returned something that is not a command) stops a run.
//
// Thrown by a FleetPolicy hook or by the policy factory, from C++ code only (never across Lua
// frames). World lets it propagate; the runner catches it and turns it into the run's Status
// (kInvalidInput: exit 2), reporting the lowest failing replication so the message does not
// depend on the thread count.
#include <exception>
#include <string>

#include "common/status.h"

namespace spotsim {

class PolicyFailure : public std::exception {
 public:
  explicit PolicyFailure(Status status) : status_(std::move(status)) {}
  const Status& status() const { return status_; }
  const char* what() const noexcept override { return status_.message().c_str(); }

 private:
  Status status_;
};

}  // namespace spotsim
