/**
 * Secrets in channel config: `{ "env": "NAME" }` names an environment variable, so passwords and
 * API keys never sit in `ecrm.config.json`. Resolved once, when the channels are created.
 */
import { EcrmValidationError } from '@ecrm/core'
import type { ValidationIssue } from '@ecrm/core'
import { z } from 'zod'

/** A secret read from the environment variable `env`. */
export const envSecretSchema = z.strictObject({
  env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name, e.g. SMTP_PASSWORD'),
})

/** `{ "env": "NAME" }`. */
export type EnvSecret = z.infer<typeof envSecretSchema>

/** `T` with every {@link EnvSecret} replaced by the string it names. */
export type ResolvedSecrets<T> = T extends EnvSecret
  ? string
  : T extends readonly (infer E)[]
    ? ResolvedSecrets<E>[]
    : T extends object
      ? { [K in keyof T]: ResolvedSecrets<T[K]> }
      : T

function isEnvSecret(value: unknown): value is EnvSecret {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { env?: unknown }).env === 'string'
}

/**
 * Replaces every `{ env: NAME }` in a parsed config with `env[NAME]`. Throws one
 * `EcrmValidationError` listing each missing or empty variable at its config path
 * (`channels.email.auth.pass (environment variable SMTP_PASSWORD is not set)`).
 */
export function resolveEnvSecrets<T>(value: T, env: Readonly<Record<string, string | undefined>>, path: readonly (string | number)[]): ResolvedSecrets<T> {
  const issues: ValidationIssue[] = []
  const walk = (node: unknown, at: readonly (string | number)[]): unknown => {
    if (isEnvSecret(node)) {
      const secret = env[node.env]
      if (secret === undefined || secret === '') {
        issues.push({ path: at, message: `environment variable ${node.env} is ${secret === undefined ? 'not set' : 'empty'}`, code: 'missing_secret' })
      }
      return secret ?? ''
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...at, index]))
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...at, key])]))
    return node
  }
  const resolved = walk(value, path)
  if (issues.length > 0) throw new EcrmValidationError('Missing channel secrets', issues)
  return resolved as ResolvedSecrets<T>
}
