/**
 * @module addresses — the demo's fixed test addresses. A module of their own so the first
 * screen can show the recipient's balance without loading the (lazy) Lucid chunk.
 */

/** The abandon…art test mnemonic's preprod base address: a fixed recipient. */
export const RECIPIENT =
  'addr_test1qqqt0pru382hy9vjlsxv3ye02z50sfvt8xunscg5pgden77z73dpdfng2ctw2ekqplqgrljelz7h4dneac27nn3qx3rqqpavzj';
/** Another wallet (zoo…wrong): its UTxO needs a key the demo user's wallet does not hold. */
export const FOREIGN_ADDRESS =
  'addr_test1qzpjv933p0lj92032x0usxgkk0rt3w5nxfyp0uj9gju0dng2s5d4tgt67ke6epav5xnx77csfwgdpwemyacfp8s7vqaswq0kl2';
