// The httplib adapter of the console (serve.hpp). Each httplib request is
// turned into a console::Request, handled, and written back; the handler
// never lets an exception reach httplib's thread pool.
#include "serve.hpp"

#include <sys/socket.h>

#include <csignal>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <thread>

#ifdef SORIGHTS_CONSOLE_HTTPLIB
#  include <httplib.h>
#endif

SORIGHTS_BEGIN_NAMESPACE
namespace console {

#ifndef SORIGHTS_CONSOLE_HTTPLIB

int serve(Console&, const ServeOptions&, std::ostream&, std::ostream& err) {
  err << "sorights: serve: this build has no HTTP server (cpp-httplib was not found at configure time)\n";
  return 2;
}

#else

namespace {

Request to_request(const httplib::Request& in) {
  Request r;
  r.method = in.method;
  const std::string& target = in.target.empty() ? in.path : in.target;
  const std::size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  for (const auto& [name, value] : in.headers) r.headers.emplace_back(name, value);
  r.body = in.body;
  return r;
}

void write_response(const Response& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& [name, value] : in.headers) out.set_header(name, value);
  out.set_content(in.body, in.content_type.c_str());
}

}  // namespace

int serve(Console& console, const ServeOptions& options, std::ostream& out, std::ostream& err) {
  httplib::Server server;
  // httplib's default sets SO_REUSEPORT, which would let a second server
  // share the port (and split the sessions between them): only SO_REUSEADDR.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_payload_max_length(console.options().max_body_bytes);
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_keep_alive_max_count(100);
  auto handler = [&console](const httplib::Request& req, httplib::Response& res) {
    try {
      write_response(console.handle(to_request(req)), res);
    } catch (...) {
      res.status = 500;
      res.set_content("500 internal error\n", "text/plain; charset=utf-8");
    }
  };
  const std::string any = R"(.*)";
  server.Get(any, handler);
  server.Post(any, handler);
  server.Put(any, handler);
  server.Delete(any, handler);
  server.Patch(any, handler);
  server.Options(any, handler);
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content("500 internal error\n", "text/plain; charset=utf-8");
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    res.set_content(std::to_string(res.status) + "\n", "text/plain; charset=utf-8");
  });

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.bind);
    if (port < 0) port = -1;
  } else if (!server.bind_to_port(options.bind, port)) {
    port = -1;
  }
  if (port <= 0) {
    err << "sorights: serve: cannot listen on " << options.bind << ":" << options.port << "\n";
    return 2;
  }

  // SIGINT/SIGTERM stop the server: blocked here (the pool threads inherit
  // the mask) and awaited by one thread with sigtimedwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    while (!done.load()) {
      timespec timeout{0, 200 * 1000 * 1000};
      if (sigtimedwait(&signals, nullptr, &timeout) > 0) {
        server.stop();
        return;
      }
    }
  });

  const std::string host = options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;
  out << "http://" << host << ":" << port << "/?token=" << console.issue_access_token() << std::endl;
  const bool ok = server.listen_after_bind();
  done.store(true);
  waiter.join();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (!ok) {
    err << "sorights: serve: the server stopped with an error\n";
    return 2;
  }
  return 0;
}

#endif

}  // namespace console
SORIGHTS_END_NAMESPACE
