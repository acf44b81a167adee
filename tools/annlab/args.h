// Private header (tools/annlab): a small command-line option parser with exact usage errors.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "annlab/status.h"

namespace annlab::cli {

struct OptionSpec {
  std::string name;      // without the leading "--"
  std::string metavar;   // empty for a flag
  std::string help;
  bool required = false;
  bool repeatable = false;
};

struct CommandSpec {
  std::string name;
  std::string summary;
  std::vector<OptionSpec> options;
  std::string help_text() const;
};

class Args {
 public:
  // Parses argv (without the command name). Errors name the option; --help sets help().
  static Result<Args> parse(const CommandSpec& spec, const std::vector<std::string>& argv);
  bool help() const { return help_; }
  bool has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  std::string get(std::string_view name, std::string fallback = "") const;
  std::vector<std::string> all(std::string_view name) const;
  // An integer option in [lo, hi]; the error names the option.
  Result<long long> get_int(std::string_view name, long long fallback, long long lo, long long hi) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
  bool help_ = false;
};

}  // namespace annlab::cli
