#include "common.h"

#include <cstdio>

#include "annlab/io.h"

namespace annlab::cli {

bool parse_or_exit(const CommandSpec& spec, const std::vector<std::string>& argv, Args* args, int* exit_code) {
  auto parsed = Args::parse(spec, argv);
  if (!parsed.is_ok()) {
    std::fprintf(stderr, "annlab %s: %s\n(see annlab %s --help)\n", spec.name.c_str(), parsed.message().c_str(),
                 spec.name.c_str());
    *exit_code = kExitUsage;
    return false;
  }
  if (parsed->help()) {
    std::fputs(spec.help_text().c_str(), stdout);
    *exit_code = kExitOk;
    return false;
  }
  *args = std::move(parsed).value();
  return true;
}

int fail(const std::string& cmd, const Status& st, int code) {
  std::fprintf(stderr, "annlab %s: error: %s\n", cmd.c_str(), st.message().c_str());
  return code;
}

Result<Dataset> load_dataset(const std::string& path) {
  ANNLAB_ASSIGN_OR_RETURN(Dataset ds, load_vectors(path));
  // What loading changed (a float64 or big-endian .npy read as float32), in one line.
  if (!ds.note.empty()) std::fprintf(stderr, "annlab: %s: %s\n", path.c_str(), ds.note.c_str());
  ds.compact_to_bytes();
  return ds;
}

Result<std::vector<int32_t>> load_labels_of(const std::string& path) {
  if (path.size() >= 5 && path.compare(path.size() - 5, 5, ".alds") == 0) {
    ANNLAB_ASSIGN_OR_RETURN(Dataset ds, load_vectors(path));
    if (!ds.has_labels()) return Status::error(cat(path, ": these vectors carry no labels"));
    return std::move(ds.labels);
  }
  return load_labels(path);
}

Status parse_params(const std::vector<std::string>& assignments, BuildParams* b, SearchParams* s) {
  for (const auto& a : assignments) ANNLAB_TRY(apply_param(a, b, s));
  return Status::ok();
}

OptionSpec opt_threads() {
#if defined(__EMSCRIPTEN__)
  return {"threads", "N", "threads for batch work (this WebAssembly build has 1)"};
#else
  return {"threads", "N", "threads for batch work (default 1)"};
#endif
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace annlab::cli
