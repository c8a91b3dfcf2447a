// Container health check without curl or wget in the image: asks the process's own readiness
// endpoint and exits 0 when it answers 200. Plain JavaScript so it starts fast.
const port = process.env.TREC_PORT || '3000'
const path = process.argv[2] || '/health/ready'
try {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) })
  process.exit(res.status === 200 ? 0 : 1)
} catch {
  process.exit(1)
}
