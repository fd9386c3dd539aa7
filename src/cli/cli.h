// The silverwork command line: a table of subcommands, each a thin function
// that wires subsystems together. Returns the process exit code.
#pragma once

namespace silverwork {

// Exit codes: 0 success; 1 failure; 2 bad usage; 3 stopped early with
// progress kept (daily quota spent): run again later to resume.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitResumeLater = 3;

int RunCli(int argc, char** argv);

}  // namespace silverwork
