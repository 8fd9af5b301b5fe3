import type { Channel } from '@ecrm/core'
/** See nodemailerChannel.mjs. */
export declare function nodemailerChannel(port: number, clientName?: string): Channel
