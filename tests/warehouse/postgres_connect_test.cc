// Connecting to PostgreSQL: where the password may come from, what is
// refused, and what an unreachable server or a wrong password is reported
// as — without the password ever appearing in a message.
#ifdef SILVERWORK_HAVE_POSTGRES

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

#include "postgres_test_server.h"
#include "scoped_temp_dir.h"

namespace silverwork {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Sets an environment variable for one scope, restoring what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string ReadPassword(const std::string& file) {
  std::ifstream in(file);
  std::string password;
  std::getline(in, password);
  return password;
}

void ExpectNoSecret(const Status& status, const std::string& secret) {
  EXPECT_THAT(status.ToString(), Not(HasSubstr(secret)));
  EXPECT_THAT(status.ToUserMessage(), Not(HasSubstr(secret)));
}

class PostgresConnectTest : public ::testing::Test {
 protected:
  // Nothing from the machine's own PostgreSQL setup (~/.pgpass, PGPASSWORD).
  ScopedEnv no_password_env_{"PGPASSWORD", std::nullopt};
  ScopedEnv no_pgpass_{"PGPASSFILE", std::string("/nonexistent/pgpass")};
  ScopedTempDir dir_;
  ScopedPostgresSchema schema_;

  std::string WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name)) << text;
    return dir_.File(name);
  }
};

TEST_F(PostgresConnectTest, PasswordFromAFile) {
  auto opened = OpenWarehouse(schema_.Options());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ((*opened)->engine(), "postgres");
  // A missing or empty file is an error of its own, naming the file.
  WarehouseOptions missing = schema_.Options();
  missing.password_file = dir_.File("absent");
  EXPECT_EQ(OpenWarehouse(missing).status().code(), ErrorCode::kIO);
  EXPECT_THAT(OpenWarehouse(missing).status().message(), HasSubstr(dir_.File("absent")));
  WarehouseOptions empty = schema_.Options();
  empty.password_file = WriteFile("empty", "");
  EXPECT_THAT(OpenWarehouse(empty).status().message(), HasSubstr("is empty"));
}

TEST_F(PostgresConnectTest, PasswordFromPgpasswordOrPgpass) {
  const std::string password = ReadPassword(schema_.server().password_file);
  WarehouseOptions options = schema_.Options();
  options.password_file.clear();
  {
    ScopedEnv pgpassword("PGPASSWORD", password);
    auto opened = OpenWarehouse(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  }
  const std::string pgpass = WriteFile("pgpass", "127.0.0.1:*:*:silverwork:" + password + "\n");
  ASSERT_EQ(chmod(pgpass.c_str(), 0600), 0);
  ScopedEnv pgpassfile("PGPASSFILE", pgpass);
  auto opened = OpenWarehouse(options);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
}

TEST_F(PostgresConnectTest, NoPasswordAtAllSaysWhereToPutOne) {
  WarehouseOptions options = schema_.Options();
  options.password_file.clear();
  Status status = OpenWarehouse(options).status();
  EXPECT_EQ(status.code(), ErrorCode::kAuth);
  EXPECT_THAT(status.message(), HasSubstr("asks for a password"));
  EXPECT_THAT(status.hint(), HasSubstr("password_file"));
}

TEST_F(PostgresConnectTest, AWrongPasswordIsRefusedAndNeverPrinted) {
  const std::string wrong = "Wr0ng-Secret-7fq2";
  WarehouseOptions options = schema_.Options();
  options.password_file = WriteFile("wrong", wrong + "\n");
  Status status = OpenWarehouse(options).status();
  EXPECT_EQ(status.code(), ErrorCode::kAuth);
  EXPECT_THAT(status.message(), HasSubstr("127.0.0.1:"));
  EXPECT_THAT(status.message(), HasSubstr("refused the login of user \"silverwork\""));
  EXPECT_THAT(status.hint(), HasSubstr("password_file"));
  ExpectNoSecret(status, wrong);

  options.password_file.clear();
  ScopedEnv pgpassword("PGPASSWORD", wrong);
  Status from_env = OpenWarehouse(options).status();
  EXPECT_EQ(from_env.code(), ErrorCode::kAuth);
  ExpectNoSecret(from_env, wrong);
}

TEST_F(PostgresConnectTest, AnUnreachableServerIsNamedByHostAndPort) {
  // A port bound but not listening refuses connections, and no other
  // process can take it while the socket lives.
  const int socket_fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(socket_fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const std::string port = std::to_string(ntohs(address.sin_port));

  Status status = OpenWarehouse({.engine = "postgres",
                                 .location = "postgresql://silverwork@127.0.0.1:" + port + "/x",
                                 .password_file = schema_.server().password_file})
                      .status();
  close(socket_fd);
  EXPECT_EQ(status.code(), ErrorCode::kNetwork);
  EXPECT_THAT(status.message(), HasSubstr("cannot connect to PostgreSQL at 127.0.0.1:" + port));
  EXPECT_THAT(status.message(), HasSubstr("Connection refused"));
  EXPECT_THAT(status.hint(), HasSubstr("server is running"));
  ExpectNoSecret(status, ReadPassword(schema_.server().password_file));
}

TEST_F(PostgresConnectTest, AMissingDatabaseIsTheServersAnswer) {
  WarehouseOptions options = schema_.Options();
  options.location = schema_.server().url + "_no_such_database";
  Status status = OpenWarehouse(options).status();
  EXPECT_EQ(status.code(), ErrorCode::kDatabase);
  EXPECT_THAT(status.message(), HasSubstr("does not exist"));
  EXPECT_THAT(status.hint(), HasSubstr("createdb"));
}

TEST_F(PostgresConnectTest, AUrlWithAPasswordIsRefusedWithoutEchoingIt) {
  const std::string secret = "In-Url-S3cret";
  const std::string locations[] = {
      "postgresql://silverwork:" + secret + "@127.0.0.1:5432/x",
      "postgresql://silverwork@127.0.0.1:5432/x?password=" + secret,
      "host=127.0.0.1 user=silverwork password=" + secret,
  };
  for (const std::string& location : locations) {
    Status status = OpenWarehouse({.engine = "postgres", .location = location}).status();
    EXPECT_EQ(status.code(), ErrorCode::kInvalidInput) << status.ToString();
    EXPECT_THAT(status.message(), HasSubstr("contains a password"));
    EXPECT_THAT(status.hint(), HasSubstr("PGPASSWORD"));
    EXPECT_THAT(status.hint(), HasSubstr("password_file"));
    ExpectNoSecret(status, secret);
  }
  // One libpq cannot parse is refused too, and its message is scrubbed.
  Status broken = OpenWarehouse({.engine = "postgres",
                                 .location = "postgresql://silverwork:" + secret + "@[::1"})
                      .status();
  EXPECT_EQ(broken.code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(broken.message(), HasSubstr("not valid"));
  ExpectNoSecret(broken, secret);
}

}  // namespace
}  // namespace silverwork

#endif  // SILVERWORK_HAVE_POSTGRES
