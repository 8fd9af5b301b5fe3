import type { Cancel } from '@ecrm/core'
import { listen } from './listen.js'

/** Options of form lead capture (opt-in). */
export interface LeadCaptureOptions {
  /** Which forms count as lead forms. @default 'form[data-ecrm-lead]' */
  readonly selector?: string
  /** The only field names read (e.g. `['email', 'name', 'company']`); anything else is ignored. */
  readonly fields: readonly string[]
}

/**
 * Fields never read, whatever the allowlist says, tested on one string `type name autocomplete`
 * (one regex instead of two): password, hidden and file inputs (the first word, whole), and names
 * or autocomplete hints of payment cards and secrets (`cc-` at the start of a word, the rest anywhere).
 */
const NEVER_READ = /^(password|hidden|file) |(^| )cc-|card|cvc|cvv|iban|passw|secret|ssn|token/i

/**
 * Reads the allowlisted fields of a form: `name → value` for text-like inputs, selects and
 * textareas. Password, hidden and file inputs and card or secret fields are never read, even when
 * allowlisted; empty values are left out.
 */
export function readLeadFields(form: HTMLFormElement, fields: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {}
  for (const element of form.elements) {
    // Not every form element is an input: a fieldset has no value, an output no autocomplete.
    const { name, type, value, checked, autocomplete } = element as Partial<HTMLInputElement>
    if (name === undefined || !fields.includes(name)) continue
    if (NEVER_READ.test(`${type} ${name} ${autocomplete}`)) continue
    if ((type === 'checkbox' || type === 'radio') && checked !== true) continue
    if (typeof value === 'string' && value !== '') values[name] = value
  }
  return values
}

/**
 * Calls `onLead(fields, form)` when a matching form is submitted (listening in the capture phase,
 * so the page's own handlers cannot hide the submission). Returns the function that stops it.
 */
export function watchLeadForms(
  options: LeadCaptureOptions,
  onLead: (fields: Record<string, string>, form: HTMLFormElement) => void,
): Cancel {
  if (typeof document === 'undefined') return () => undefined
  const selector = options.selector ?? 'form[data-ecrm-lead]'
  const onSubmit = (event: Event): void => {
    const form = event.target
    if (!(form instanceof HTMLFormElement) || !form.matches(selector)) return
    onLead(readLeadFields(form, options.fields), form)
  }
  return listen(document, 'submit', onSubmit, true)
}
