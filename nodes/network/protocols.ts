/**
 * The Custos libp2p protocol ids. The version suffix changes only with an incompatible wire
 * change; the status handshake's `protocolVersion` covers everything else.
 */
export const protocols = {
  /** Status handshake, then head announcements, on one long-lived stream per connection. */
  status: "/custos/status/1",
  /** Consensus messages, one long-lived outbound stream per peer and direction. */
  consensus: "/custos/consensus/1",
  /** Transaction batches, one long-lived outbound stream per peer and direction. */
  transactions: "/custos/tx/1",
  /** Sync request/response, one stream per request. */
  sync: "/custos/sync/1",
} as const;

/** Short protocol names for metric labels. */
export type ProtocolName = keyof typeof protocols;
