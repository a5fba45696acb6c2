@security @oidc
Feature: OIDC security: Callbacks, discovery and claims
  The callback's state, the OP's errors and discovery issuer, code replay, and group overage.

  @req-OIDC-STATE-1
  Scenario Outline: An altered or missing state is refused (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-STATE-1]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | alteration |
      | Okta | an altered state |
      | Okta | no state |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | alteration |
      | Entra | an altered state |
      | Entra | no state |

    @google @oidc
    Examples: Google over OIDC
      | vendor | alteration |
      | Google | an altered state |
      | Google | no state |

  @req-OIDC-DISC-1
  Scenario Outline: A discovery issuer that differs from the configured one is refused (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with a discovery issuer of its own
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-DISC-1]

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

  @req-OIDC-ERR-1
  Scenario Outline: An error callback is a clear error and no session (<vendor>, <alteration>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with <alteration>
    When Alice signs in to Acme through SSO
    Then the sign-in to Acme is refused [OIDC-ERR-1]

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | alteration |
      | Okta | the error access_denied |
      | Okta | the error login_required |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | alteration |
      | Entra | the error access_denied |
      | Entra | the error login_required |

    @google @oidc
    Examples: Google over OIDC
      | vendor | alteration |
      | Google | the error access_denied |
      | Google | the error login_required |

  @req-OIDC-PKCE-1
  Scenario Outline: A replayed authorization code is refused by the OP and shown as an error (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to Acme through SSO
    When Alice replays her last authorization callback
    Then Alice is answered with an error [OIDC-PKCE-1]

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

  @req-OIDC-GRP-1
  Scenario Outline: Entra's groups overage neither crashes the RP nor grants a group role (<vendor>)
    Given Acme is a Managed organisation using <vendor> over OIDC
    And Alice is in Acme's <vendor> directory
    And Acme's IdP will send the next response with over 200 groups
    When Alice signs in to Acme through SSO
    Then Alice is signed in to the platform as a managed account of Acme [OIDC-GRP-1]

    @entra @oidc
    Examples: Entra over OIDC
      | vendor |
      | Entra |
