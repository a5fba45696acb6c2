@managed @scim
Feature: Managed accounts follow the IdP's SCIM lifecycle
  In Managed mode the IdP provisions accounts by SCIM before anyone signs in, and deactivating
  them at the IdP ends their access and sessions. Okta and Entra push SCIM in their own
  dialects; Google Workspace has no SCIM for custom apps.

  @req-MAN-5
  Scenario Outline: SCIM creates Alice's account in Acme before her first sign-in (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme provisions accounts from its IdP by SCIM
    And Alice is in Acme's <vendor> directory
    When Acme's IdP provisions Alice by SCIM
    Then Alice is a member of Acme [MAN-5]

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

  @req-MAN-5
  Scenario Outline: Alice's first sign-in finds the account SCIM created (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme provisions accounts from its IdP by SCIM
    And Alice is in Acme's <vendor> directory
    And Acme's IdP has provisioned Alice by SCIM
    When Alice signs in to Acme through SSO
    Then Alice is signed in as the account SCIM created for her at Acme [MAN-5]
    And Acme has exactly 1 member [MAN-5]

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

  @req-MAN-6 @req-SESS-3
  Scenario Outline: Deactivation at the IdP by SCIM ends Alice's session at once (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme provisions accounts from its IdP by SCIM
    And Alice is in Acme's <vendor> directory
    And Acme's IdP has provisioned Alice by SCIM
    And Alice has signed in to Acme through SSO
    When Acme's IdP deactivates Alice by SCIM
    Then Alice is signed out of the platform [MAN-6, SESS-3]

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
