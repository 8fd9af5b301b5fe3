import { useIdentify } from '@ecrm/react'
import { useState } from 'react'
import type { FormEvent } from 'react'

/**
 * Sign-in / newsletter form: `identify` ties the visitor's anonymous history to a user id and
 * records their traits. The example uses the email as the user id; a real shop uses its own
 * account id.
 */
export function AccountForm() {
  const identify = useIdentify()
  const [saved, setSaved] = useState<string | undefined>()
  const onSubmit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const email = String(form.get('email') ?? '')
      .trim()
      .toLowerCase()
    const name = String(form.get('name') ?? '').trim()
    identify(email, { email, ...(name === '' ? {} : { name }) })
    setSaved(email)
  }
  return (
    <form onSubmit={onSubmit}>
      <label>
        Email <input name="email" type="email" required autoComplete="email" />
      </label>
      <label>
        Name <input name="name" autoComplete="name" />
      </label>
      <button type="submit">Save</button>
      {saved !== undefined && <p role="status">Signed in as {saved}</p>}
    </form>
  )
}
