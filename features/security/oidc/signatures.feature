@security @oidc
Feature: OIDC security: Forged signatures and key selection
  Only the OP's published keys, with the algorithms it uses; kid rotation refetches the JWKS.

  @req-OIDC-SIG-1
  Scenario Outline: A corrupted signature is refused (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-SIG-1]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | alteration |
      | Okta | a corrupted signature |
      | Okta | a corrupted ES256 signature |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | alteration |
      | Entra | a corrupted signature |
      | Entra | a corrupted ES256 signature |

    @google @oidc
    Examples: Google over OIDC
      | vendor | alteration |
      | Google | a corrupted signature |
      | Google | a corrupted ES256 signature |

  @req-OIDC-SIG-2
  Scenario Outline: alg none is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with alg none
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-SIG-2]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor |
      | Okta |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor |
      | Entra |

    @google @oidc
    Examples: Google over OIDC
      | vendor |
      | Google |

  # A separate row from plain alg none: an RP that recomputes at_hash with the token's own alg
  # refuses "none" there, which hides whether it refuses unsigned tokens at all.
  @req-OIDC-SIG-2
  Scenario Outline: alg none without an at_hash is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with alg none and no at_hash
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-SIG-2]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor |
      | Okta |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor |
      | Entra |

    @google @oidc
    Examples: Google over OIDC
      | vendor |
      | Google |

  @req-OIDC-SIG-3
  Scenario Outline: HS256 keyed with the OP's public key is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with HS256 keyed with the public key
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-SIG-3]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor |
      | Okta |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor |
      | Entra |

    @google @oidc
    Examples: Google over OIDC
      | vendor |
      | Google |

  @req-OIDC-SIG-4
  Scenario Outline: An all-zero ES256 signature is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an all-zero ES256 signature
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-SIG-4]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor |
      | Okta |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor |
      | Entra |

    @google @oidc
    Examples: Google over OIDC
      | vendor |
      | Google |

  @req-OIDC-SIG-5
  Scenario Outline: A key or key URL carried in the header is refused (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-SIG-5]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | alteration |
      | Okta | the attacker's key in the header |
      | Okta | the attacker's key URL in the header |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | alteration |
      | Entra | the attacker's key in the header |
      | Entra | the attacker's key URL in the header |

    @google @oidc
    Examples: Google over OIDC
      | vendor | alteration |
      | Google | the attacker's key in the header |
      | Google | the attacker's key URL in the header |

  @req-OIDC-KID-1
  Scenario Outline: No kid with a single published key is accepted (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with no kid from a single key
    When Alice signs in to Acme through SSO
    Then Alice is signed in to the platform as a managed account of Acme [OIDC-KID-1]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor |
      | Okta |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor |
      | Entra |

    @google @oidc
    Examples: Google over OIDC
      | vendor |
      | Google |

  @req-OIDC-KID-2
  Scenario Outline: No kid among several published keys is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with no kid among several keys
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-KID-2]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor |
      | Okta |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor |
      | Entra |

    @google @oidc
    Examples: Google over OIDC
      | vendor |
      | Google |

  @req-OIDC-KID-3
  Scenario Outline: A kid of a key rotated in after the JWKS was cached is accepted after a refetch (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to Acme through SSO
    And Acme's IdP will send the next response with a kid from a key rotated in
    When Alice signs in to Acme through SSO again
    Then Alice is signed in to the platform as a managed account of Acme [OIDC-KID-3]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor |
      | Okta |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor |
      | Entra |

    @google @oidc
    Examples: Google over OIDC
      | vendor |
      | Google |
