// annlab methods — the method registry as help text, or as the Markdown tables of the docs.
#include <cstdio>

#include "annlab/registry.h"
#include "common.h"

namespace annlab::cli {

namespace {

void print_use(const ParamUse& u) {
  const ParamInfo* p = find_param(u.name);
  std::string range;
  switch (p->type) {
    case ParamType::Int: range = cat(p->lo, "..", p->hi); break;
    case ParamType::Float: range = "> 0"; break;
    case ParamType::Choice: range = std::string(p->choices); break;
    case ParamType::Seed: range = "unsigned 64-bit"; break;
    case ParamType::Text: range = "a file"; break;
  }
  std::printf("      %-16s %-18s %s\n", std::string(u.name).c_str(), range.c_str(), std::string(p->help).c_str());
}

}  // namespace

int cmd_methods(const std::vector<std::string>& argv) {
  const CommandSpec spec{
      "methods",
      "Lists every method of the factory grammar: its description string, what each number means and its range,\n"
      "its build and search parameters, and what its search returns as distances.",
      {{"markdown", "", "print the method table of README.md and docs/cli.md instead"},
       {"params-markdown", "", "print the parameter table of docs/cli.md instead"}}};
  Args a;
  int code;
  if (!parse_or_exit(spec, argv, &a, &code)) return code;
  if (a.has("markdown")) {
    std::fputs(methods_markdown().c_str(), stdout);
    return kExitOk;
  }
  if (a.has("params-markdown")) {
    std::fputs(params_markdown().c_str(), stdout);
    return kExitOk;
  }
  for (const MethodInfo& m : method_registry()) {
    std::printf("%s%s\n  %s\n", m.grammar().c_str(), m.implemented ? "" : "   (not built yet)",
                std::string(m.summary).c_str());
    if (!m.implemented) continue;
    std::printf("  e.g. %s; distances: %s\n", std::string(m.example).c_str(), std::string(m.distance).c_str());
    for (const ArgInfo& x : m.args)
      std::printf("    <%s> %lld..%lld%s%s\n", std::string(x.name).c_str(), (long long)x.lo, (long long)x.hi,
                  x.zero_means.empty() ? "" : "; may be left out: ", std::string(x.zero_means).c_str());
    if (!m.build.empty()) std::printf("    build:\n");
    for (const ParamUse& u : m.build) print_use(u);
    if (!m.search.empty()) std::printf("    search:\n");
    for (const ParamUse& u : m.search) print_use(u);
  }
  return kExitOk;
}

}  // namespace annlab::cli
