// The worker's child for one run (issue 11): starts the sandbox CLI (argv after this file) in this
// process's group and watches its parent, the worker. When the worker dies (SIGKILL, a crash), this
// process is re-parented: it kills the sandbox's whole group instead of leaving an orphan that runs on
// with a token the next attempt revokes. Exit code and signals are passed through. Plain JavaScript: nothing to compile.
import { spawn } from 'node:child_process';

const parent = process.ppid;
const [entry, ...args] = process.argv.slice(2);
const child = spawn(process.execPath, [entry, ...args], { stdio: 'inherit' });
let stopping = false;

function stopGroup(signal) {
  try {
    process.kill(-process.pid, signal);
  } catch {
    child.kill(signal);
  }
}

const watch = setInterval(() => {
  if (process.ppid !== parent && !stopping) {
    stopping = true;
    // As if the machine had died with the worker: no goodbye (a SIGTERM would make the sandbox report the
    // run cancelled). The run's job comes back to another worker, which resumes it from the last phase.
    process.stderr.write('specline-worker watchdog: the worker is gone; killing the sandbox\n');
    stopGroup('SIGKILL');
  }
}, 500);

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on('error', (error) => {
  process.stderr.write(`specline-worker watchdog: could not start the sandbox: ${error.message}\n`);
  process.exit(1);
});

child.on('exit', (code, signal) => {
  clearInterval(watch);
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
