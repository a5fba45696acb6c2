@basic
Feature: Role mapping for Basic members
  Role mapping applies to personal accounts too: the member's role in the organisation comes
  from the IdP at each SSO sign-in.

  @req-ROLE-1
  Scenario Outline: A Basic member's IdP group gives the mapped role (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory in group "ml-admins"
    And Acme maps IdP group "ml-admins" to role admin
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    When Alice signs in to Acme through SSO
    Then Alice is a member of Acme with role admin [ROLE-1]

    @okta @saml
    Examples: Okta over SAML
      | vendor | protocol |
      | Okta   | SAML     |

    @okta @oidc
    Examples: Okta over OIDC
      | vendor | protocol |
      | Okta   | OIDC     |

    @entra @saml
    Examples: Entra over SAML
      | vendor | protocol |
      | Entra  | SAML     |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | protocol |
      | Entra  | OIDC     |

    @google @saml
    Examples: Google over SAML
      | vendor | protocol |
      | Google | SAML     |

