// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IConsortium} from "../interfaces/IConsortium.sol";
import {MockConsortium} from "./mocks/MockConsortium.sol";
import {CustosTest} from "./utils/Vm.sol";

contract MockConsortiumTest is CustosTest {
    MockConsortium private c;

    function setUp() public {
        c = new MockConsortium();
    }

    function testFuzz_memberRoundTrip(address account, uint32 orgId) public {
        vm.assume(orgId != 0);
        c.setMember(account, orgId, IConsortium.Role.Researcher);
        assertEq(c.organisationOf(account), orgId, "org");
        assertTrue(c.hasRole(IConsortium.Role.Researcher, account), "role");
        c.setRole(orgId, IConsortium.Role.None);
        assertTrue(!c.isMember(account), "removed");
    }
}
