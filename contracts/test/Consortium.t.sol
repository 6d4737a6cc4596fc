// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Consortium} from "../Consortium.sol";
import {IConsortium} from "../interfaces/IConsortium.sol";
import {CustosTest} from "./utils/Vm.sol";

/// @notice Property tests of Consortium: validator-set history against a reference model,
/// membership invariants under random operations, and the strict-majority threshold.
contract ConsortiumTest is CustosTest {
    uint256 private constant STEPS = 12;
    uint256 private constant POOL = 8;

    function _hospital(address account, address validator) private pure returns (Consortium.OrganisationInit memory) {
        address[] memory accounts = new address[](1);
        accounts[0] = account;
        return Consortium.OrganisationInit({
            role: IConsortium.Role.Hospital,
            metadata: keccak256(abi.encode(account)),
            accounts: accounts,
            recorders: new address[](0),
            validator: validator
        });
    }

    function _organisation(IConsortium.Role role, address account, address validator)
        private
        pure
        returns (Consortium.OrganisationInit memory init)
    {
        init = _hospital(account, validator);
        init.role = role;
        if (role != IConsortium.Role.Hospital) init.validator = address(0);
    }

    function _validator(uint256 seed, uint256 salt) private pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode("validator", seed, salt)))));
    }

    function _rand(uint256 seed, uint256 step) private pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, step)));
    }

    /// @dev One account per active hospital votes for `id` (proposer's hospital already did),
    /// then `id` is executed; the governance delay is 0 so it all happens in this block.
    function _passAndExecute(Consortium c, uint256 id) private {
        uint32 count = c.organisationCount();
        for (uint32 org = 1; org <= count; ++org) {
            if (c.roleOf(org) != IConsortium.Role.Hospital || c.hasVoted(id, org)) continue;
            vm.prank(c.accountsOf(org)[0]);
            c.vote(id);
        }
        c.execute(id);
    }

    function _anyHospitalAccount(Consortium c) private view returns (address) {
        uint32 count = c.organisationCount();
        for (uint32 org = 1; org <= count; ++org) {
            if (c.roleOf(org) == IConsortium.Role.Hospital) return c.accountsOf(org)[0];
        }
        revert("no hospital");
    }

    function _sorted(address[] memory set) private pure returns (address[] memory) {
        for (uint256 i = 1; i < set.length; ++i) {
            address v = set[i];
            uint256 j = i;
            while (j > 0 && set[j - 1] > v) {
                set[j] = set[j - 1];
                --j;
            }
            set[j] = v;
        }
        return set;
    }

    function _assertSetEq(address[] memory a, address[] memory b, string memory what) private pure {
        assertEq(a.length, b.length, what);
        for (uint256 i = 0; i < a.length; ++i) {
            assertEq(a[i], b[i], what);
        }
    }

    function _contains(address[] memory list, address value) private pure returns (bool) {
        for (uint256 i = 0; i < list.length; ++i) {
            if (list[i] == value) return true;
        }
        return false;
    }

    /// @dev The model's validator set: validators of active hospital ids, sorted.
    function _modelSet(bool[] memory active, address[] memory validatorOf, uint256 n)
        private
        pure
        returns (address[] memory set)
    {
        uint256 size = 0;
        for (uint256 i = 1; i <= n; ++i) {
            if (active[i]) ++size;
        }
        set = new address[](size);
        uint256 k = 0;
        for (uint256 i = 1; i <= n; ++i) {
            if (active[i]) set[k++] = validatorOf[i];
        }
        return _sorted(set);
    }

    function test_bootstrapSetInForceFromBlockZero() public {
        vm.roll(100);
        Consortium.OrganisationInit[] memory inits = new Consortium.OrganisationInit[](2);
        inits[0] = _hospital(address(0xA1), address(0xB2));
        inits[1] = _hospital(address(0xA2), address(0xB1));
        Consortium c = new Consortium(inits, 0, 10);
        address[] memory set = c.validatorsAt(0);
        assertEq(set.length, 2, "size");
        assertEq(set[0], address(0xB1), "sorted 0");
        assertEq(set[1], address(0xB2), "sorted 1");
        _assertSetEq(c.validators(), set, "now");
    }

    /// @dev Reference model of the validator history: hospital ids 1..n with their validator
    /// and active flag, and the (fromBlock, sorted set) recorded after each change.
    struct Model {
        bool[] active;
        address[] validatorOf;
        uint256 n;
        uint256[] froms;
        address[][] sets;
    }

    /// @notice validatorsAt matches a reference model under random validator changes,
    /// hospital additions and removals, several possibly in one block.
    function testFuzz_validatorsAtMatchesModel(uint256 seed) public {
        Model memory m = Model({
            active: new bool[](4 + STEPS),
            validatorOf: new address[](4 + STEPS),
            n: 3,
            froms: new uint256[](STEPS + 1),
            sets: new address[][](STEPS + 1)
        });
        Consortium.OrganisationInit[] memory inits = new Consortium.OrganisationInit[](3);
        for (uint256 i = 1; i <= 3; ++i) {
            m.active[i] = true;
            m.validatorOf[i] = _validator(seed, i);
            inits[i - 1] = _hospital(address(uint160(0x1000 + i)), m.validatorOf[i]);
        }
        vm.roll(1 + (seed % 5));
        Consortium c = new Consortium(inits, 0, 10);
        m.sets[0] = _modelSet(m.active, m.validatorOf, m.n);

        for (uint256 step = 1; step <= STEPS; ++step) {
            _modelStep(c, m, seed, step);
        }

        uint256 last = block.number + 3;
        for (uint256 b = 0; b <= last; ++b) {
            uint256 at = 0;
            for (uint256 s = 1; s <= STEPS; ++s) {
                if (m.froms[s] <= b) at = s;
            }
            _assertSetEq(c.validatorsAt(b), m.sets[at], "validatorsAt");
        }
        _assertSetEq(c.validators(), c.validatorsAt(block.number), "validators");
        assertEq(c.hospitalCount(), m.sets[STEPS].length, "hospitalCount");
    }

    /// @dev After 0-2 blocks, one random change (set validator, add or remove a hospital)
    /// executed through governance, mirrored in the model.
    function _modelStep(Consortium c, Model memory m, uint256 seed, uint256 step) private {
        uint256 r = _rand(seed, step);
        vm.roll(block.number + (r % 3));
        uint256 activeCount = 0;
        for (uint256 i = 1; i <= m.n; ++i) {
            if (m.active[i]) ++activeCount;
        }
        uint256 pick = (r >> 16) % activeCount;
        uint32 target = 0;
        for (uint32 i = 1; i <= m.n; ++i) {
            if (!m.active[i]) continue;
            if (pick == 0) {
                target = i;
                break;
            }
            --pick;
        }
        uint256 action = (r >> 8) % 3;
        if (action == 2 && activeCount == 1) action = 0;
        address fresh = _validator(seed, 1000 + step);
        vm.prank(_anyHospitalAccount(c));
        uint256 id;
        if (action == 0) {
            id = c.proposeSetValidator(target, fresh);
            m.validatorOf[target] = fresh;
        } else if (action == 1) {
            ++m.n;
            m.validatorOf[m.n] = fresh;
            m.active[m.n] = true;
            id = c.proposeAddOrganisation(_hospital(address(uint160(0x1000 + m.n)), fresh));
        } else {
            id = c.proposeRemoveOrganisation(target);
            m.active[target] = false;
        }
        _passAndExecute(c, id);
        m.froms[step] = block.number + 2;
        m.sets[step] = _modelSet(m.active, m.validatorOf, m.n);
    }

    /// @notice Under random self-management and governance operations, an account belongs to
    /// at most one organisation in one capacity, admins and recorders never overlap, a binding
    /// never moves to another organisation (retired stays retired), reads agree with the account
    /// lists, and removed organisations grant nothing.
    function testFuzz_membershipInvariants(uint256 seed) public {
        address[] memory pool = new address[](POOL);
        for (uint256 i = 0; i < POOL; ++i) {
            pool[i] = address(uint160(0xA000 + i));
        }
        Consortium.OrganisationInit[] memory inits = new Consortium.OrganisationInit[](3);
        inits[0] = _hospital(pool[0], _validator(seed, 0));
        inits[1] = _hospital(pool[1], _validator(seed, 1));
        inits[2] = _organisation(IConsortium.Role.Regulator, pool[2], address(0));
        Consortium c = new Consortium(inits, 0, 10);
        uint32[] memory firstOrg = new uint32[](POOL);

        for (uint256 step = 0; step < 2 * STEPS; ++step) {
            _membershipStep(c, pool, _rand(seed, step), _validator(seed, 100 + step));
            _checkMembership(c, pool);
            _checkBindingsForGood(c, pool, firstOrg);
        }
    }

    /// @dev Once an address is bound to an organisation it stays bound to it; once retired it
    /// never acts again.
    function _checkBindingsForGood(Consortium c, address[] memory pool, uint32[] memory firstOrg) private view {
        for (uint256 i = 0; i < pool.length; ++i) {
            (uint32 orgId, Consortium.Capacity capacity) = c.bindingOf(pool[i]);
            if (capacity == Consortium.Capacity.None) {
                assertEq(firstOrg[i], 0, "unbound after a binding");
                continue;
            }
            if (firstOrg[i] == 0) firstOrg[i] = orgId;
            assertEq(orgId, firstOrg[i], "binding moved");
            if (capacity == Consortium.Capacity.Retired) {
                assertTrue(!c.isMember(pool[i]), "retired member");
                assertEq(c.organisationOf(pool[i]), 0, "retired acts");
            }
        }
    }

    /// @dev One random operation; reverts of the consortium are expected and ignored (the
    /// invariants must hold whatever succeeded).
    function _membershipStep(Consortium c, address[] memory pool, uint256 r, address validator) private {
        address actor = pool[(r >> 8) % POOL];
        address subject = pool[(r >> 16) % POOL];
        uint256 op = r % 6;
        if (op < 4) {
            vm.prank(actor);
            if (op == 0) try c.addAccount(subject) {} catch {}
            else if (op == 1) try c.removeAccount(subject) {} catch {}
            else if (op == 2) try c.addRecorder(subject) {} catch {}
            else try c.removeRecorder(subject) {} catch {}
            return;
        }
        uint32 orgId = uint32(1 + ((r >> 24) % c.organisationCount()));
        Consortium.OrganisationInit memory init =
            _organisation(IConsortium.Role(1 + ((r >> 24) % 4)), subject, validator);
        vm.prank(_anyHospitalAccount(c));
        uint256 id;
        if (op == 4) {
            try c.proposeRemoveOrganisation(orgId) returns (uint256 created) {
                id = created;
            } catch {}
        } else {
            try c.proposeAddOrganisation(init) returns (uint256 created) {
                id = created;
            } catch {}
        }
        if (id != 0) _passAndExecute(c, id);
    }

    function _checkMembership(Consortium c, address[] memory pool) private view {
        uint32 count = c.organisationCount();
        uint256 hospitals = 0;
        for (uint32 org = 1; org <= count; ++org) {
            IConsortium.Role role = c.roleOf(org);
            Consortium.Organisation memory o = c.organisation(org);
            assertTrue(o.active == (role != IConsortium.Role.None), "active flag");
            assertTrue(o.accountCount > 0, "no accounts");
            if (role == IConsortium.Role.Hospital) {
                ++hospitals;
                address[] memory accounts = c.accountsOf(org);
                address[] memory recorders = c.recordersOf(org);
                for (uint256 i = 0; i < recorders.length; ++i) {
                    assertTrue(!_contains(accounts, recorders[i]), "recorder is an admin");
                    assertTrue(!c.isAdmin(org, recorders[i]), "recorder has admin rights");
                }
            }
        }
        assertEq(c.hospitalCount(), hospitals, "hospitalCount");
        assertEq(c.validatorsAt(block.number + 2).length, hospitals, "set size");

        for (uint256 i = 0; i < pool.length; ++i) {
            address a = pool[i];
            uint32 orgOf = c.organisationOf(a);
            uint256 listed = 0;
            uint32 listedIn = 0;
            for (uint32 org = 1; org <= count; ++org) {
                if (_contains(c.accountsOf(org), a) || _contains(c.recordersOf(org), a)) {
                    ++listed;
                    listedIn = org;
                }
                bool recorder = c.isRecorder(org, a);
                assertTrue(!recorder || (orgOf == org && c.roleOf(org) == IConsortium.Role.Hospital), "recorder");
                assertTrue(!(recorder && c.isAdmin(org, a)), "admin and recorder");
            }
            assertTrue(listed <= 1, "account in two organisations");
            assertTrue(c.isMember(a) == (orgOf != 0), "isMember");
            if (orgOf != 0) {
                assertEq(listedIn, orgOf, "listed elsewhere");
                assertTrue(c.hasRole(c.roleOf(orgOf), a), "hasRole");
            } else {
                assertTrue(listed == 0 || c.roleOf(listedIn) == IConsortium.Role.None, "active but unmapped");
                for (uint8 role = 0; role <= 4; ++role) {
                    assertTrue(!c.hasRole(IConsortium.Role(role), a), "removed grants a role");
                }
            }
        }
    }

    /// @notice With n hospitals and k of them voting, execution succeeds iff 2k > n.
    function testFuzz_majorityThreshold(uint256 nSeed, uint256 kSeed) public {
        uint256 n = bound(nSeed, 1, 12);
        uint256 k = bound(kSeed, 1, n);
        Consortium.OrganisationInit[] memory inits = new Consortium.OrganisationInit[](n + 1);
        for (uint256 i = 0; i < n; ++i) {
            inits[i] = _hospital(address(uint160(0x1000 + i)), address(uint160(0x2000 + i)));
        }
        inits[n] = _organisation(IConsortium.Role.Researcher, address(0x3000), address(0));
        Consortium c = new Consortium(inits, 0, 10);
        uint32 researcherId = uint32(n + 1);
        vm.prank(address(0x1000));
        uint256 id = c.proposeRemoveOrganisation(researcherId);
        for (uint256 i = 1; i < k; ++i) {
            vm.prank(address(uint160(0x1000 + i)));
            c.vote(id);
        }
        if (2 * k > n) {
            c.execute(id);
            assertTrue(!c.isMember(address(0x3000)), "executed");
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(Consortium.ConsortiumMajorityNotReached.selector, id, uint32(k), uint32(n))
            );
            c.execute(id);
        }
    }
}
