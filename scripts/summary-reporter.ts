// Prints one closing line, `tests: N passed, N failed, N skipped`, that any CI can read, and
// lists every skipped suite with the reason it gives in its name. Tests that never ran because
// their set-up failed count as failed.
import type { Reporter, TestCase, TestModule } from 'vitest/node'

/** A test that never ran because its suite's or file's set-up failed counts as failed, not skipped. */
function setUpFailed(test: TestCase): boolean {
  for (let p = test.parent; ; p = p.parent) {
    if (p.type === 'module') return p.errors().length > 0
    if (p.state() === 'failed') return true
  }
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    const reasons = new Set<string>()
    for (const mod of testModules) {
      // A file that failed to load or whose set-up threw before any test.
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++
      // A suite skipped as a whole (its server is absent) may hold no test at all; list it too.
      for (const suite of mod.children.allSuites())
        if (suite.state() === 'skipped' && [...suite.children.allTests()].length === 0)
          reasons.add(suite.name)
      for (const test of mod.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed' || setUpFailed(test)) failed++
        else {
          skipped++
          const suite = test.parent.type === 'suite' ? test.parent.name : test.name
          reasons.add(suite)
        }
      }
    }
    for (const reason of reasons) console.log(`skipped: ${reason}`)
    console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
  }
}
