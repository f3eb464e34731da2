task nightly_rollup {
  active = true
  stack {
    function.run "reports/rollup" {
      input = {day: now|format_timestamp:"Y-m-d"}
    } as $ignored
  }
  schedule = [{starts_on: 2026-01-01 02:00:00+0000, freq: 86400}]
}
