// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/**
 * @title ConsentCodes
 * @notice The on-chain vocabulary of consent: research purposes and use conditions as bits of
 * a uint32 (after the GA4GH Data Use Ontology, DUO) and data categories as bits of a uint32
 * (after the OMOP CDM tables). Mirrored bit for bit by src/consent/consentCodes.ts; a test
 * keeps the two identical.
 *
 * A consent's `purposes` word holds permission bits (which research the subject allows) and
 * condition bits (DUO modifiers the use must meet). A request's `use` word holds exactly one
 * permission bit (the purpose of the research) and the condition bits the request attests to
 * meet (attested by the requester, vouched for by the review board's approval).
 */
library ConsentCodes {
    // ---- permissions (DUO data use permissions) ----
    /// @notice DUO:0000004 no restriction.
    uint32 internal constant NRES = 1 << 0;
    /// @notice DUO:0000042 general research use.
    uint32 internal constant GRU = 1 << 1;
    /// @notice DUO:0000006 health or medical or biomedical research.
    uint32 internal constant HMB = 1 << 2;
    /// @notice DUO:0000007 disease specific research (diseases named in the consent document).
    uint32 internal constant DS = 1 << 3;
    /// @notice DUO:0000011 population origins or ancestry research only.
    uint32 internal constant POA = 1 << 4;
    /// @notice DUO:0000043 clinical care use.
    uint32 internal constant CC = 1 << 5;

    /// @notice Mask of all permission bits.
    uint32 internal constant PERMISSIONS = NRES | GRU | HMB | DS | POA | CC;

    // ---- conditions (DUO data use modifiers) ----
    /// @notice DUO:0000046 non-commercial use only.
    uint32 internal constant NCU = 1 << 8;
    /// @notice DUO:0000045 not-for-profit organisation use only.
    uint32 internal constant NPU = 1 << 9;
    /// @notice DUO:0000021 ethics approval required.
    uint32 internal constant IRB = 1 << 10;
    /// @notice DUO:0000016 genetic studies only.
    uint32 internal constant GSO = 1 << 11;
    /// @notice DUO:0000015 no general methods research.
    uint32 internal constant NMDS = 1 << 12;
    /// @notice DUO:0000044 population origins or ancestry research prohibited.
    uint32 internal constant NPOA = 1 << 13;
    /// @notice DUO:0000019 publication required.
    uint32 internal constant PUB = 1 << 14;
    /// @notice DUO:0000020 collaboration required.
    uint32 internal constant COL = 1 << 15;
    /// @notice DUO:0000029 return to database or resource.
    uint32 internal constant RTN = 1 << 16;
    /// @notice DUO:0000024 publication moratorium.
    uint32 internal constant MOR = 1 << 17;
    /// @notice DUO:0000022 geographical restriction.
    uint32 internal constant GS = 1 << 18;
    /// @notice DUO:0000026 user specific restriction.
    uint32 internal constant US = 1 << 19;
    /// @notice DUO:0000027 project specific restriction.
    uint32 internal constant PS = 1 << 20;
    /// @notice DUO:0000028 institution specific restriction.
    uint32 internal constant IS = 1 << 21;

    /// @notice Mask of all condition bits.
    uint32 internal constant CONDITIONS =
        NCU | NPU | IRB | GSO | NMDS | NPOA | PUB | COL | RTN | MOR | GS | US | PS | IS;

    // ---- data categories (OMOP CDM tables) ----
    /// @notice PERSON, LOCATION, DEATH.
    uint32 internal constant DEMOGRAPHICS = 1 << 0;
    /// @notice VISIT_OCCURRENCE, VISIT_DETAIL, OBSERVATION_PERIOD.
    uint32 internal constant VISITS = 1 << 1;
    /// @notice CONDITION_OCCURRENCE, CONDITION_ERA.
    uint32 internal constant CONDITIONS_DATA = 1 << 2;
    /// @notice DRUG_EXPOSURE, DRUG_ERA, DOSE_ERA.
    uint32 internal constant DRUGS = 1 << 3;
    /// @notice MEASUREMENT.
    uint32 internal constant MEASUREMENTS = 1 << 4;
    /// @notice PROCEDURE_OCCURRENCE.
    uint32 internal constant PROCEDURES = 1 << 5;
    /// @notice OBSERVATION.
    uint32 internal constant OBSERVATIONS = 1 << 6;
    /// @notice DEVICE_EXPOSURE.
    uint32 internal constant DEVICES = 1 << 7;
    /// @notice NOTE, NOTE_NLP.
    uint32 internal constant NOTES = 1 << 8;
    /// @notice SPECIMEN.
    uint32 internal constant SPECIMENS = 1 << 9;
    /// @notice Genomic data (OMOP genomic extension).
    uint32 internal constant GENOMICS = 1 << 10;
    /// @notice Imaging (OMOP medical imaging extension).
    uint32 internal constant IMAGING = 1 << 11;
    /// @notice Patient-generated and wearable data.
    uint32 internal constant LIFELOG = 1 << 12;
    /// @notice COST, PAYER_PLAN_PERIOD.
    uint32 internal constant COSTS = 1 << 13;

    /// @notice Mask of all defined category bits.
    uint32 internal constant ALL_CATEGORIES = (1 << 14) - 1;

    /**
     * @notice Whether a consent's `purposes` word permits a request's `use` word.
     * @dev The request's purpose must be exactly one permission bit, covered by the consent
     * after the DUO hierarchy (NRES ⊇ everything; GRU ⊇ HMB ⊇ DS; GRU ⊇ POA), and every
     * condition of the consent must be attested by the request. NPOA is met by any purpose
     * other than POA, so requests never attest it themselves.
     */
    function permits(uint32 consentPurposes, uint32 use) internal pure returns (bool) {
        uint32 purpose = use & PERMISSIONS;
        if (purpose == 0 || (purpose & (purpose - 1)) != 0) return false;
        if ((use & ~(PERMISSIONS | CONDITIONS)) != 0) return false;
        if (!_covers(consentPurposes, purpose)) return false;
        uint32 met = (use & CONDITIONS & ~NPOA) | (purpose == POA ? 0 : NPOA);
        return (consentPurposes & CONDITIONS & ~met) == 0;
    }

    /// @notice Whether every requested category is consented.
    function coversCategories(uint32 consented, uint32 requested) internal pure returns (bool) {
        return requested != 0 && (requested & ~consented) == 0;
    }

    function _covers(uint32 consent, uint32 purpose) private pure returns (bool) {
        if ((consent & NRES) != 0) return true;
        if (purpose == GRU) return (consent & GRU) != 0;
        if (purpose == HMB) return (consent & (GRU | HMB)) != 0;
        if (purpose == DS) return (consent & (GRU | HMB | DS)) != 0;
        if (purpose == POA) return (consent & (GRU | POA)) != 0;
        if (purpose == CC) return (consent & CC) != 0;
        return false;
    }
}
