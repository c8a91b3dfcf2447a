import { parentPort, workerData } from 'node:worker_threads'
import { RunChecker, type RunSetup } from './lines.ts'

// A verifying thread (run-pool.ts): checks the runs of lines it is sent against the export's tree,
// and hands each run's buffer back with the result.

const checker = new RunChecker(workerData as RunSetup)
parentPort!.on('message', ({ id, run }: { id: number; run: Uint8Array }) => {
  const result = checker.check(Buffer.from(run.buffer, run.byteOffset, run.byteLength))
  parentPort!.postMessage({ id, result, run }, [run.buffer as ArrayBuffer])
})
