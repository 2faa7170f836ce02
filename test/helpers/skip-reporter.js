/**
 * Jest prints skipped tests' names only in verbose runs; this reporter lists them at the end of
 * every run, with the reason their names carry (test/helpers/skip.ts).
 */
class SkipReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.testResults.flatMap((file) =>
      file.testResults
        .filter((t) => t.status === 'pending' || t.status === 'skipped')
        .map((t) => t.fullName),
    );
    if (skipped.length === 0) return;
    process.stderr.write(`\nSkipped (${skipped.length}):\n`);
    for (const name of skipped) process.stderr.write(`  - ${name}\n`);
  }
}

module.exports = SkipReporter;
