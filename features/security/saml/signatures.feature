@security @saml
Feature: SAML security: Forged and weak signatures
  A correct SP trusts only the configured certificate, and only a signature that verifies over the
  assertion it acts on.

  @req-SAML-SIG-1
  Scenario Outline: An unsigned response is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with no signature at all
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-SIG-1]

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

  @req-SAML-SIG-2
  Scenario Outline: A response whose signature was excluded is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with its signature excluded
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-SIG-2]

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

  @req-SAML-SIG-3
  Scenario Outline: A response signed by the attacker's key, its certificate in KeyInfo, is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with a signature by the attacker's key
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-SIG-3]

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

  @req-SAML-SIG-4
  Scenario Outline: A response with a corrupted signature value is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with a corrupted signature value
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [SAML-SIG-4]

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

  @req-SAML-SIG-5
  Scenario Outline: An RSA-SHA1 signature is accepted, as the reference SP's policy says (<vendor>)
    Policy: the reference SP accepts RSA-SHA1 and SHA-1 digests (vendors still send them) and notes
    the weak algorithm on the accepted assertion; the response is recorded in this scenario's
    evidence. A target that refuses SHA-1 lists this scenario as an expected deviation.
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an RSA-SHA1 signature and SHA-1 digest
    When Alice signs in to Acme through SSO
    Then Alice is signed in to the platform as a managed account of Acme [SAML-SIG-5]

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

  @req-SAML-SIG-6
  Scenario Outline: Each signature placement the vendors use is accepted (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then Alice is signed in to the platform as a managed account of Acme [SAML-SIG-6]

    @okta @saml
    Examples: Okta over SAML
      | vendor | alteration |
      | Okta | only the response signed |
      | Okta | only the assertion signed |
      | Okta | both response and assertion signed |

    @entra @saml
    Examples: Entra over SAML
      | vendor | alteration |
      | Entra | only the response signed |
      | Entra | only the assertion signed |
      | Entra | both response and assertion signed |

    @google @saml
    Examples: Google over SAML
      | vendor | alteration |
      | Google | only the response signed |
      | Google | only the assertion signed |
      | Google | both response and assertion signed |

  @req-SAML-ROT-1
  Scenario Outline: After a certificate rollover both the old and the new certificate are accepted (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over SAML
    And Alice is in Acme's <vendor> directory
    And Acme's IdP has rolled its signing certificate over and signs with the <alteration> one
    When Alice signs in to Acme through SSO
    Then Alice is signed in to the platform as a managed account of Acme [SAML-ROT-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor | alteration |
      | Okta | old |
      | Okta | new |

    @entra @saml
    Examples: Entra over SAML
      | vendor | alteration |
      | Entra | old |
      | Entra | new |

    @google @saml
    Examples: Google over SAML
      | vendor | alteration |
      | Google | old |
      | Google | new |
