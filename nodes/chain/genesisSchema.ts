import Type from "typebox";

const Address = Type.String({ pattern: "^0x[0-9a-fA-F]{40}$", description: "20-byte hex address" });
const Bytes32 = Type.String({ pattern: "^0x[0-9a-fA-F]{64}$", description: "32-byte hex" });
const Decimal = Type.String({
  pattern: "^(0|[1-9][0-9]{0,77})$",
  description: "non-negative integer, decimal",
});

/** Consortium roles as genesis names them (IConsortium.Role 1..4). */
export const genesisRoles = {
  hospital: 1,
  regulator: 2,
  researcher: 3,
  reviewBoard: 4,
} as const;

/**
 * A bootstrap organisation (Consortium's `OrganisationInit`). Every address is bound once, in
 * one capacity: `accounts` are the organisation's admin accounts (they govern, vote and act
 * for it in AccessLedger), `recorders` a hospital's consent recorders (they record consents
 * and query results, nothing else). The two lists are disjoint, and no address appears in
 * two organisations.
 */
export const GenesisOrganisationSchema = Type.Object(
  {
    role: Type.Union([
      Type.Literal("hospital"),
      Type.Literal("regulator"),
      Type.Literal("researcher"),
      Type.Literal("reviewBoard"),
    ]),
    metadata: Bytes32,
    /** Admin accounts (at least one). */
    accounts: Type.Array(Address, { minItems: 1 }),
    /** Hospitals only: consent recorders, none of them an admin account. */
    recorders: Type.Array(Address),
    /** Hospitals only: the validator's address. */
    validator: Type.Optional(Address),
  },
  { additionalProperties: false },
);

/**
 * The genesis document. Contract addresses are fixed by construction: the constructors run
 * at genesis from `contracts.deployer` with nonces 0, 1, 2 (CREATE addresses), so the
 * EIP-712 domain separators and the stored Consortium address are right for these addresses.
 * Consortium's constructor runs first, so AccessLedger's (which needs `requiredApprovals`
 * review boards) sees the organisations.
 */
export const GenesisSchema = Type.Object(
  {
    chainId: Type.Integer({ minimum: 1, maximum: 2 ** 32 - 1 }),
    /** Block gas limit. */
    gasLimit: Type.Integer({ minimum: 5_000_000, maximum: 2 ** 50 }),
    blockPeriodSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
    /** Timestamp (seconds) of block 0. */
    timestamp: Type.Integer({ minimum: 0, maximum: 2 ** 40 }),
    /** Base fee of block 0 (wei, decimal); EIP-1559 adjusts it from there. */
    baseFeePerGas: Decimal,
    /** Hospital validators in Consortium order (must equal the hospitals' validator fields). */
    validators: Type.Array(Address, { minItems: 1 }),
    /**
     * Block 0's extraData: the validators, sorted, in QBFT extraData (as a Besu QBFT genesis
     * carries them). Optional: when absent it is derived from `validators`; when present it
     * must be exactly that.
     */
    extraData: Type.Optional(
      Type.String({ pattern: "^0x([0-9a-fA-F]{2})*$", description: "QBFT extraData, hex" }),
    ),
    governance: Type.Object(
      {
        executionDelay: Type.Integer({ minimum: 0, maximum: 2 ** 32 }),
        votingPeriod: Type.Integer({ minimum: 1, maximum: 2 ** 32 }),
        /** Review-board approvals a query needs: 1 to the review boards at genesis. */
        requiredApprovals: Type.Integer({ minimum: 1, maximum: 255 }),
      },
      { additionalProperties: false },
    ),
    organisations: Type.Array(GenesisOrganisationSchema, { minItems: 1 }),
    /** Balances (wei, decimal) by address. */
    alloc: Type.Record(
      Address,
      Type.Object({ balance: Decimal }, { additionalProperties: false }),
      {
        additionalProperties: false,
      },
    ),
    contracts: Type.Object(
      {
        deployer: Address,
        consortium: Address,
        consentRegistry: Address,
        accessLedger: Address,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** A validated genesis document. */
export type Genesis = Type.Static<typeof GenesisSchema>;

/** One organisation of a genesis document. */
export type GenesisOrganisation = Type.Static<typeof GenesisOrganisationSchema>;
