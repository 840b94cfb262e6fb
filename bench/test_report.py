"""Tests of how `bench/report.py` reads a run's files: the committed reports are only as right as
these readers. Run by `make test` (`make test-bench`); stdlib only."""

import tempfile
import unittest
from pathlib import Path

from report import millis, parse_cpu, parse_instructions, parse_switches, parse_wrk

# wrk's output for a login-page case of the run behind report 20261129-131804.
WRK_LOGIN = """Running 10s test @ http://127.0.0.1:45749/login
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.94ms  583.90us   9.60ms   79.40%
    Req/Sec    17.84k     1.45k   19.70k    87.00%
  Latency Distribution
     50%  839.00us
     75%    1.16ms
     90%    1.58ms
     99%    3.04ms
  355090 requests in 10.00s, 0.95GB read
Requests/sec:  35493.88
Transfer/sec:     97.66MB
"""


class ReportReaders(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def file(self, name, text):
        path = Path(self.dir.name) / name
        path.write_text(text)
        return path

    def test_latencies_are_read_in_milliseconds_whatever_unit_wrk_chose(self):
        self.assertAlmostEqual(millis("839.00us"), 0.839)
        self.assertAlmostEqual(millis("3.04ms"), 3.04)
        self.assertAlmostEqual(millis("1.20s"), 1200.0)
        self.assertIsNone(millis("3.04m"))

    def test_a_wrk_run_gives_its_requests_rate_and_percentiles(self):
        wrk = parse_wrk(self.file("login.txt", WRK_LOGIN))
        self.assertEqual(wrk["requests"], 355090)
        self.assertEqual(wrk["rps"], 35493.88)
        self.assertAlmostEqual(wrk["p50_ms"], 0.839)
        self.assertAlmostEqual(wrk["p99_ms"], 3.04)
        self.assertEqual((wrk["non_2xx"], wrk["socket_errors"]), (0, None))

    def test_refused_answers_and_socket_errors_are_reported_not_hidden(self):
        text = WRK_LOGIN + "  Socket errors: connect 0, read 3, write 0, timeout 2\n  Non-2xx or 3xx responses: 17\n"
        wrk = parse_wrk(self.file("bad.txt", text))
        self.assertEqual(wrk["non_2xx"], 17)
        self.assertEqual(wrk["socket_errors"], "connect 0, read 3, write 0, timeout 2")

    def test_cpu_per_request_is_the_ticks_between_before_and_after(self):
        # 1,423 server ticks at 100 a second over 355,090 requests: 40.1 µs each.
        cpu = parse_cpu(self.file("login.cpu", "1174 2597 0 0 100\n"), 355090)
        self.assertEqual(cpu, {"server_us": 40.1, "database_us": None})
        both = parse_cpu(self.file("home.cpu", "100 300 50 150 100\n"), 1000)
        self.assertEqual(both, {"server_us": 2000.0, "database_us": 1000.0})
        self.assertEqual(parse_cpu(Path(self.dir.name) / "missing.cpu", 10), {"server_us": None, "database_us": None})

    def test_context_switches_count_new_threads_from_zero_and_leave_out_ended_ones(self):
        text = "1 10\n2 100\n3 7\n--\n1 40\n2 160\n4 10\n"
        # Thread 1: 30, thread 2: 60, thread 4 (new): 10; thread 3 ended: left out.
        self.assertEqual(parse_switches(self.file("s.switches", text), 20), {"switches": 5.0})

    def test_instructions_are_per_request_and_compared_with_the_login_page(self):
        text = "login 300 62482599\nhome 300 134506528\n"
        counts = parse_instructions(self.file("instructions.txt", text))
        self.assertEqual(counts["login"], {"per_request": 208275, "login_over_case": 1.0})
        self.assertEqual(counts["home"], {"per_request": 448355, "login_over_case": 0.465})

    def test_without_a_login_count_no_ratio_is_made_up(self):
        counts = parse_instructions(self.file("instructions.txt", "home 300 134506528\n"))
        self.assertEqual(counts["home"], {"per_request": 448355, "login_over_case": None})
        self.assertIsNone(parse_instructions(Path(self.dir.name) / "not-counted.txt"))


if __name__ == "__main__":
    unittest.main()
