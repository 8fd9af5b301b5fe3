import { recipientOf } from '@ecrm/core'
import type { ChannelKind, CustomerProfile, Message, MessageContent, RuleDefinition, RuleFiring } from '@ecrm/core'

/** Renders one template for one customer: the hook templates plug into (content is stored at enqueue). */
export type RenderMessage = (request: {
  readonly template: string
  readonly locale: string
  readonly messageId: string
  readonly profile: CustomerProfile
  readonly firing: RuleFiring
  /** The channel kind it is rendered for (a push notification's click URL is signed, an email's links are). */
  readonly kind?: ChannelKind
}) => MessageContent | Promise<MessageContent>

/** What the rule runner needs to turn a firing's `then.send` steps into outbox messages. */
export interface MessageComposer {
  /** The configured channels' kinds by name (`then.send[].channel` must be one of them). */
  readonly channels: Readonly<Record<string, ChannelKind>>
  readonly render: RenderMessage
  /** Locale when the profile has no `traits.locale`. @default "en" */
  readonly defaultLocale?: string
  /** Channel headers of an addressed message (e.g. List-Unsubscribe for email). @default none */
  readonly headers?: (
    message: Omit<Message, 'headers'>,
    profile: CustomerProfile,
  ) => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>
}

/** A message as the outbox records it: addressed and rendered, or suppressed for want of a recipient. */
export type ComposedMessage = Message & { readonly suppressedReason?: 'no_recipient' }

/**
 * The messages of one firing, one per `then.send` step, id `<firing id>:<step index>` (the
 * idempotency key everything downstream dedupes by). A customer with no address on a step's
 * channel kind gets the message recorded as suppressed (`no_recipient`), never silently skipped.
 */
export async function composeMessages(
  composer: MessageComposer,
  rule: RuleDefinition,
  firing: RuleFiring,
  profile: CustomerProfile | undefined,
): Promise<ComposedMessage[]> {
  const steps = rule.then?.send ?? []
  if (steps.length === 0) return []
  const who: CustomerProfile = profile ?? ({ id: firing.customerId, traits: {} } as unknown as CustomerProfile)
  const traitLocale = who.traits['locale']
  const locale = typeof traitLocale === 'string' && traitLocale !== '' ? traitLocale : (composer.defaultLocale ?? 'en')
  const messages: ComposedMessage[] = []
  for (const [index, step] of steps.entries()) {
    const kind = composer.channels[step.channel]
    if (kind === undefined)
      throw new Error(
        `rule "${rule.id}" then.send[${index}].channel "${step.channel}" is not a configured channel (configured: ${Object.keys(composer.channels).join(', ') || 'none'})`,
      )
    const id = `${firing.id}:${index}`
    const address = recipientOf(kind, who)
    const base = {
      id,
      customerId: firing.customerId,
      channel: step.channel,
      kind,
      template: step.template,
      locale,
      category: step.category ?? 'marketing',
      firingId: firing.id,
      ruleId: rule.id,
      campaign: step.campaign ?? rule.id,
      createdAt: firing.at,
    } as const
    if (!address.ok) {
      messages.push({ ...base, recipient: '', content: { text: '' }, suppressedReason: 'no_recipient' })
      continue
    }
    const content = await composer.render({
      template: step.template,
      locale,
      messageId: id,
      profile: who,
      firing,
      kind,
    })
    const message = { ...base, recipient: address.recipient, content }
    messages.push(
      composer.headers === undefined ? message : { ...message, headers: await composer.headers(message, who) },
    )
  }
  return messages
}
