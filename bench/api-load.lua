-- api-load.lua: wrk script for bench/api-load. The request (GET with the
-- Authorization header) comes from wrk's command line; this only reports:
-- requests/s, p50 and p99 latency, and errors (connection errors, timeouts
-- and any answer with status 400 or above), plus one machine-readable line.

function done(summary, latency, requests)
   local secs = summary.duration / 1e6
   local e = summary.errors
   local errors = e.connect + e.read + e.write + e.status + e.timeout
   local rps = summary.requests / secs
   local p50 = latency:percentile(50) / 1000
   local p99 = latency:percentile(99) / 1000
   local size = 0
   if summary.requests > 0 then size = summary.bytes / summary.requests end
   io.write(string.format("requests:    %d in %.2f s (%.0f bytes each, headers included)\n",
                          summary.requests, secs, size))
   io.write(string.format("requests/s:  %.0f\n", rps))
   io.write(string.format("latency p50: %.3f ms\n", p50))
   io.write(string.format("latency p99: %.3f ms\n", p99))
   io.write(string.format("errors:      %d (connect %d, read %d, write %d, status>=400 %d, timeout %d)\n",
                          errors, e.connect, e.read, e.write, e.status, e.timeout))
   io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
                          rps, p50, p99, errors))
end
