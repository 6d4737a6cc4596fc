import { Block, type BlockHeader, createBlockHeaderFromBytesArray } from "@ethereumjs/block";

/**
 * Index of `extraData` in a header's RLP fields.
 *
 * @example
 * ```ts
 * const extraData = header.raw()[EXTRA_DATA_FIELD];
 * ```
 */
export const EXTRA_DATA_FIELD = 12;

/**
 * The same header with `extraData` in place of its own, every other field (and the
 * hardfork of its Common) kept.
 *
 * @example
 * ```ts
 * const sealed = headerWithExtraData(header, encodeQbftExtraData({ ...extra, seals }));
 * ```
 */
export function headerWithExtraData(header: BlockHeader, extraData: Uint8Array): BlockHeader {
  const fields = header.raw();
  fields[EXTRA_DATA_FIELD] = extraData;
  return createBlockHeaderFromBytesArray(fields, { common: header.common, setHardfork: false });
}

/**
 * The same block with `extraData` in its header. The Block constructor, not createBlock:
 * createBlock would re-create every transaction from its data.
 *
 * @example
 * ```ts
 * const sealed = blockWithExtraData(block, encodeQbftExtraData({ ...extra, seals }));
 * ```
 */
export function blockWithExtraData(block: Block, extraData: Uint8Array): Block {
  return new Block(
    headerWithExtraData(block.header, extraData),
    block.transactions,
    block.uncleHeaders,
    block.withdrawals,
    { common: block.common },
  );
}
