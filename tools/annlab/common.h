// Private header (tools/annlab): what the subcommands share.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "annlab/dataset.h"
#include "annlab/params.h"
#include "annlab/status.h"
#include "args.h"

namespace annlab::cli {

// Exit codes: 0 success, 1 failure (bad file, bad data), 2 bad usage.
inline constexpr int kExitOk = 0, kExitFailure = 1, kExitUsage = 2;

using Command = int (*)(const std::vector<std::string>& argv);
int cmd_gt(const std::vector<std::string>& argv);
int cmd_split(const std::vector<std::string>& argv);
int cmd_search(const std::vector<std::string>& argv);
int cmd_eval(const std::vector<std::string>& argv);
int cmd_bench(const std::vector<std::string>& argv);
int cmd_generate(const std::vector<std::string>& argv);
int cmd_info(const std::vector<std::string>& argv);
int cmd_methods(const std::vector<std::string>& argv);
int cmd_prepare_assets(const std::vector<std::string>& argv);
int cmd_embed(const std::vector<std::string>& argv);
int cmd_layout(const std::vector<std::string>& argv);

// Parses argv for `spec`; on --help prints help and returns kExitOk through *exit_code, on a
// usage error prints it and returns kExitUsage. Returns true when the command should run.
bool parse_or_exit(const CommandSpec& spec, const std::vector<std::string>& argv, Args* args, int* exit_code);
// Prints "annlab <cmd>: error: <message>" and returns kExitFailure (or `code`).
int fail(const std::string& cmd, const Status& st, int code = kExitFailure);

// Loads vectors in any supported format; byte-valued float data is stored as bytes (lossless).
Result<Dataset> load_dataset(const std::string& path);
// Labels of rows: a labels file (annlab/io.h load_labels), or the labels a vectors file carries
// (.alds); the error says when the file has none.
Result<std::vector<int32_t>> load_labels_of(const std::string& path);
// --param name=value assignments, applied in order.
Status parse_params(const std::vector<std::string>& assignments, BuildParams* b, SearchParams* s);
// The common option specs.
OptionSpec opt_threads();

double seconds_since(std::chrono::steady_clock::time_point t0);

}  // namespace annlab::cli
