@security @saml
Feature: SAML security: Misdirected and stale assertions
  Audience, Destination, Recipient and Issuer match exactly; the times hold within the allowed skew.

  @req-SAML-AUD-1
  Scenario Outline: An assertion for another SP is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with another SP's audience
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-AUD-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-AUD-2
  Scenario Outline: An Audience or Issuer that only starts with the expected value is refused (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-AUD-2]

    @okta @saml
    Examples: Okta over SAML
      | vendor | alteration |
      | Okta | an audience that only starts with this SP's |
      | Okta | an issuer that only starts with the IdP's |

    @entra @saml
    Examples: Entra over SAML
      | vendor | alteration |
      | Entra | an audience that only starts with this SP's |
      | Entra | an issuer that only starts with the IdP's |

    @google @saml
    Examples: Google over SAML
      | vendor | alteration |
      | Google | an audience that only starts with this SP's |
      | Google | an issuer that only starts with the IdP's |

  @req-SAML-DST-1
  Scenario Outline: A response for another Destination is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with another destination
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-DST-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-DST-2
  Scenario Outline: A Destination that only starts with the ACS URL is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with a destination that only starts with the ACS URL
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-DST-2]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-RCP-1
  Scenario Outline: A Recipient other than this ACS is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with another recipient
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-RCP-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-RCP-2
  Scenario Outline: A Recipient that merely contains the ACS URL is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with a recipient that merely contains the ACS URL
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-RCP-2]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-EXP-1
  Scenario Outline: An expired assertion is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an expired assertion
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-EXP-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-EXP-2
  Scenario Outline: An assertion not yet valid is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with a NotBefore ten minutes ahead
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-EXP-2]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-EXP-3
  Scenario Outline: An expired subject confirmation is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an expired subject confirmation
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-EXP-3]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-SKEW-1
  Scenario Outline: Times off by less than the allowed skew are accepted (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with a NotBefore two minutes ahead
    When Alice signs in to Acme through SSO
    Then Alice is signed in to the platform as a managed account of Acme [SAML-SKEW-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-IRT-1
  Scenario Outline: A response to a request this SP never sent is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an InResponseTo it never received
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-IRT-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-ISS-1
  Scenario Outline: A response from another IdP is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with another IdP's issuer
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-ISS-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-STS-1
  Scenario Outline: An AuthnFailed status is a clear error and no session (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with the status AuthnFailed
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-STS-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-IRT-2
  Scenario Outline: An unsolicited response is accepted where the organisation allows it (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme allows IdP-initiated sign-in
    When Alice starts from Acme's app tile at the IdP
    Then Alice is signed in to the platform as a managed account of Acme [SAML-IRT-2]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |

  @req-SAML-RPL-1
  Scenario Outline: The same assertion posted twice is refused the second time (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme allows IdP-initiated sign-in
    And Alice has started from Acme's app tile at the IdP
    And Mallory is in Acme's <vendor> directory
    And Acme's IdP will send the next response with the previous response replayed
    When Mallory starts from Acme's app tile at the IdP
    Then the sign-in to Acme is refused [SAML-RPL-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor |
      | Okta |

    @entra @saml
    Examples: Entra over SAML
      | vendor |
      | Entra |

    @google @saml
    Examples: Google over SAML
      | vendor |
      | Google |
