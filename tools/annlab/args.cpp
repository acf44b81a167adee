#include "args.h"

#include <cerrno>
#include <cstdlib>

namespace annlab::cli {

std::string CommandSpec::help_text() const {
  std::string s = cat("usage: annlab ", name);
  for (const auto& o : options) {
    std::string one = cat("--", o.name, o.metavar.empty() ? "" : cat(" ", o.metavar));
    s += o.required ? cat(" ", one) : cat(" [", one, "]");
    if (o.repeatable) s += "...";
  }
  s += cat("\n\n", summary, "\n\noptions:\n");
  for (const auto& o : options) {
    std::string left = cat("  --", o.name, o.metavar.empty() ? "" : cat(" ", o.metavar));
    if (left.size() < 26) left.resize(26, ' ');
    else left += "\n" + std::string(26, ' ');
    s += cat(left, o.help, o.required ? " (required)" : "", "\n");
  }
  s += "  --help                  show this help\n";
  return s;
}

Result<Args> Args::parse(const CommandSpec& spec, const std::vector<std::string>& argv) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      a.help_ = true;
      return a;
    }
    if (arg.rfind("--", 0) != 0)
      return Status::error(cat("unexpected argument '", arg, "' (options start with --)"));
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const OptionSpec* o = nullptr;
    for (const auto& cand : spec.options)
      if (cand.name == name) o = &cand;
    if (!o) return Status::error(cat("unknown option '--", name, "'"));
    if (o->metavar.empty()) {
      if (inline_value) return Status::error(cat("option --", name, " takes no value"));
      value = "1";
    } else if (!inline_value) {
      if (i + 1 >= argv.size()) return Status::error(cat("option --", name, " needs a value (", o->metavar, ")"));
      value = argv[++i];
    }
    auto& slot = a.values_[name];
    if (!slot.empty() && !o->repeatable) return Status::error(cat("option --", name, " given twice"));
    slot.push_back(value);
  }
  for (const auto& o : spec.options)
    if (o.required && !a.has(o.name)) return Status::error(cat("missing required option --", o.name));
  return a;
}

std::string Args::get(std::string_view name, std::string fallback) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::all(std::string_view name) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Result<long long> Args::get_int(std::string_view name, long long fallback, long long lo, long long hi) const {
  if (!has(name)) return fallback;
  const std::string v = get(name);
  char* end = nullptr;
  errno = 0;
  const long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || end != v.c_str() + v.size() || errno == ERANGE)
    return Status::error(cat("--", name, ": '", v, "' is not an integer"));
  if (x < lo || x > hi) return Status::error(cat("--", name, " = ", x, " is out of range [", lo, ", ", hi, "]"));
  return x;
}

}  // namespace annlab::cli
