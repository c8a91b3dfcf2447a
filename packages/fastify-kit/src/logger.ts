import { redactCardNumbers } from '@trec/privacy'
import type { FastifyServerOptions } from 'fastify'

// Personal data and credentials never reach a log line. Known fields are removed by pino's
// redaction (paths fixed here, never from input); anything else that slips into a message,
// a URL or an error (a card number typed into a query, a token echoed in an error) is caught
// by scanning every finished line before it is written.
const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-device-signature"]',
  '*.name',
  '*.idNumber',
  '*.cardNumber',
  '*.phone',
  '*.bankAccount',
  '*.token',
  '*.password',
]

const jwtLike = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g

export function scrubLine(line: string): string {
  return redactCardNumbers(line).replace(jwtLike, '[token]')
}

export interface LineSink {
  write(line: string): void
}

export function loggerOptions(
  level = 'info',
  sink: LineSink = process.stdout,
): NonNullable<FastifyServerOptions['logger']> & object {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    stream: { write: (line: string) => sink.write(scrubLine(line)) },
  }
}
