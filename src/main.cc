#include "cli/cli.h"

int main(int argc, char** argv) { return silverwork::RunCli(argc, argv); }
