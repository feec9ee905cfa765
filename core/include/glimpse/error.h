// The one exception type Glimpse throws. Public: the API (glimpse/glimpse.h) includes it.
#pragma once

#include <stdexcept>

namespace glimpse {

// Every message names the file, option, layer or operation and what was wrong with it.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by decoding when the caller's cancel flag was set (a superseded job, a closed window).
class Cancelled : public Error {
 public:
  Cancelled() : Error("cancelled") {}
};

}  // namespace glimpse
