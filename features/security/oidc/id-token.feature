@security @oidc
Feature: OIDC security: Forged, misdirected and stale id_tokens
  Modelled on the OpenID Foundation RP tests: every check of OIDC Core 3.1.3.7, decided from the
  RP's answer without waiting.

  @req-OIDC-ISS-1
  Scenario Outline: An id_token from another issuer is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an altered issuer
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-ISS-1]

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

  @req-OIDC-AUD-1
  Scenario Outline: An id_token for another audience, or none, is refused (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-AUD-1]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | alteration |
      | Okta | another audience |
      | Okta | no audience |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | alteration |
      | Entra | another audience |
      | Entra | no audience |

    @google @oidc
    Examples: Google over OIDC
      | vendor | alteration |
      | Google | another audience |
      | Google | no audience |

  @req-OIDC-AZP-1
  Scenario Outline: An azp naming another client is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an azp naming another client
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-AZP-1]

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

  @req-OIDC-AUD-2
  Scenario Outline: An extra untrusted audience is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an extra untrusted audience
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-AUD-2]

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

  @req-OIDC-SUB-1
  Scenario Outline: An id_token without sub is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with no sub
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-SUB-1]

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

  @req-OIDC-IAT-1
  Scenario Outline: An id_token without iat is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with no iat
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-IAT-1]

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

  @req-OIDC-IAT-2
  Scenario Outline: An id_token issued in the future is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with an iat a day ahead
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-IAT-2]

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

  @req-OIDC-EXP-1
  Scenario Outline: An expired id_token, or one without exp, is refused (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-EXP-1]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | alteration |
      | Okta | an expired id_token |
      | Okta | no exp |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | alteration |
      | Entra | an expired id_token |
      | Entra | no exp |

    @google @oidc
    Examples: Google over OIDC
      | vendor | alteration |
      | Google | an expired id_token |
      | Google | no exp |

  @req-OIDC-NONCE-1
  Scenario Outline: An altered or missing nonce is refused (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-NONCE-1]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | alteration |
      | Okta | an altered nonce |
      | Okta | no nonce |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | alteration |
      | Entra | an altered nonce |
      | Entra | no nonce |

    @google @oidc
    Examples: Google over OIDC
      | vendor | alteration |
      | Google | an altered nonce |
      | Google | no nonce |

  @req-OIDC-HASH-1
  Scenario Outline: A wrong at_hash or c_hash is refused (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-HASH-1]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | alteration |
      | Okta | a wrong at_hash |
      | Okta | a wrong c_hash |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | alteration |
      | Entra | a wrong at_hash |
      | Entra | a wrong c_hash |

    @google @oidc
    Examples: Google over OIDC
      | vendor | alteration |
      | Google | a wrong at_hash |
      | Google | a wrong c_hash |

  @req-OIDC-UI-1
  Scenario Outline: A userinfo sub that differs from the id_token's is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with another sub at userinfo
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-UI-1]

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
