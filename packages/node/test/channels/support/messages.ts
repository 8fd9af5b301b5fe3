import type { Message } from '@ecrm/core'

/** A message as the outbox hands it to a channel (the fields the contract's `Message` has). */
export function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 'firing-1:0',
    customerId: 'c-1',
    channel: 'email',
    kind: 'email',
    recipient: 'sara@shop.example',
    template: 'welcome',
    locale: 'en',
    category: 'marketing',
    content: { subject: 'Welcome', text: 'Hello Sara', html: '<p>Hello <b>Sara</b></p>' },
    firingId: 'firing-1',
    ruleId: 'welcome',
    campaign: 'welcome-2026',
    createdAt: Date.UTC(2026, 11, 7, 8, 0, 0),
    ...overrides,
  }
}
