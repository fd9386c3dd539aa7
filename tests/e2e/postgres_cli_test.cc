// The binary configured for a PostgreSQL warehouse it cannot use: exit 1
// with the one error shape, naming host and port, and never a password.
#ifdef SILVERWORK_HAVE_POSTGRES

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "process.h"
#include "scoped_temp_dir.h"

namespace silverwork::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A loopback port bound but not listening: connecting to it is refused.
class RefusingPort {
 public:
  RefusingPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot bind a loopback port";
    }
    port_ = ntohs(address.sin_port);
  }
  ~RefusingPort() { close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  std::string port() const { return std::to_string(port_); }

 private:
  int fd_;
  uint16_t port_ = 0;
};

class PostgresBinaryTest : public ::testing::Test {
 protected:
  int Run(const std::string& warehouse_section, const std::string& command) {
    const std::string config = dir_.File("silverwork.toml");
    std::ofstream(config) << "[warehouse]\n"
                          << warehouse_section << "[lake]\npath = \"" << dir_.File("lake")
                          << "\"\n";
    ChildProcess child({SILVERWORK_BINARY, "--config", config, command}, {},
                       dir_.File("stdout.txt"), dir_.File("stderr.txt"));
    return child.Wait();
  }
  std::string Stderr() const { return ReadFile(dir_.File("stderr.txt")); }

  ScopedTempDir dir_;
};

TEST_F(PostgresBinaryTest, AnUnreachableServerExitsOneNamingHostAndPort) {
  RefusingPort refusing;
  const std::string section =
      "engine = \"postgres\"\nurl = \"postgresql://silverwork@127.0.0.1:" + refusing.port() +
      "/silverwork\"\n";
  for (const char* command : {"status", "reload"}) {
    SCOPED_TRACE(command);
    EXPECT_EQ(Run(section, command), 1);
    EXPECT_THAT(Stderr(),
                HasSubstr("cannot connect to PostgreSQL at 127.0.0.1:" + refusing.port()));
    EXPECT_THAT(Stderr(), HasSubstr("to fix: check that the server is running"));
  }
}

TEST_F(PostgresBinaryTest, APasswordInTheUrlIsRefusedWithoutEchoingIt) {
  const std::string section =
      "engine = \"postgres\"\nurl = \"postgresql://silverwork:Url-S3cret-x9@127.0.0.1:1/db\"\n";
  EXPECT_EQ(Run(section, "status"), 1);
  EXPECT_THAT(Stderr(), HasSubstr("contains a password"));
  EXPECT_THAT(Stderr(), HasSubstr("password_file"));
  EXPECT_THAT(Stderr(), Not(HasSubstr("Url-S3cret-x9")));
}

}  // namespace
}  // namespace silverwork::testing

#endif  // SILVERWORK_HAVE_POSTGRES
