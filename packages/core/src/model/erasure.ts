/**
 * The track event that asks for a person's data to be erased (GDPR Art. 17): the browser's
 * `forget()` sends it, the node store erases the customer on it, and every CRM destination
 * deletes the person. The one spelling of the name; kept apart from the zod schemas so a
 * browser bundle that needs the name alone leaves zod out.
 */
export const ERASURE_EVENT_NAME = 'Data Erasure Requested'
