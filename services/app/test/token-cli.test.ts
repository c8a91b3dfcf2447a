// The token command a newcomer runs first: usage on --help, and a refusal that says what to do,
// rather than a token the server would refuse, when the data directory holds no server's key.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadDevSecrets } from '../src/dev-secrets.ts'

const cli = join(import.meta.dirname, '../src/token-cli.ts')
const dir = mkdtempSync(join(tmpdir(), 'trec-token-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function token(args: string[], dataDir: string) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TREC_DATA_DIR: dataDir, TREC_JWKS_URL: '', TREC_JWKS_FILE: '' },
  })
}

describe('npm run token', () => {
  it('prints its usage on --help and exits 0', () => {
    const r = token(['--help'], dir)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^usage: npm run token -- --role/)
    expect(r.stdout).toContain('TREC_DATA_DIR')
  })

  it('answers an unknown option or role with the reason and the usage, exit 2', () => {
    for (const args of [['--bogus'], ['--role', 'king'], []]) {
      const r = token(args, dir)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toContain('usage: npm run token')
    }
  })

  it('mints no worker token: a worker signs in with a real-name attestation instead', () => {
    const r = token(['--role', 'worker'], dir)
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('/v1/worker-sessions')
  })

  it('refuses, naming the data directory, when no server made a key there', () => {
    const empty = join(dir, 'no-server-here')
    const r = token(['--role', 'auditor'], empty)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`no development key in ${empty}`)
    expect(r.stdout).toBe('')
  })

  it('signs with the key the server keeps in its data directory', async () => {
    await loadDevSecrets(dir)
    const r = token(['--role', 'auditor', '--ttl', '60'], dir)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout.trim().split('.')).toHaveLength(3)
  })
})
