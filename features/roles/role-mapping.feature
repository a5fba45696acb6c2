@managed
Feature: Role mapping from the IdP's groups and app roles
  An attribute path (the vendor's own groups or roles claim) and a table from IdP value to
  role. At least one rule must grant admin; the most privileged match wins; without a match the
  invitation's role applies, else the organisation's default; every sign-in re-synchronises.
  Google's OIDC id_token has no groups, so group mapping with Google runs over SAML.

  @req-ROLE-1
  Scenario Outline: Alice's IdP group gives her the mapped role (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory in group "ml-writers"
    And Acme maps IdP groups to roles:
      | group      | role  |
      | ml-admins  | admin |
      | ml-writers | write |
    When Alice signs in to Acme through SSO
    Then Alice is a member of Acme with role write [ROLE-1]

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


  @req-ROLE-1
  Scenario Outline: Entra app roles map to roles through Entra's role claim (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory
    And Alice holds the app role "Org.Admin" at Acme's IdP
    And Acme maps IdP app roles to roles:
      | app role   | role  |
      | Org.Reader | read  |
      | Org.Admin  | admin |
    When Alice signs in to Acme through SSO
    Then Alice is a member of Acme with role admin [ROLE-1]

    @entra @saml
    Examples: Entra over SAML
      | vendor | protocol |
      | Entra  | SAML     |

    @entra @oidc
    Examples: Entra over OIDC
      | vendor | protocol |
      | Entra  | OIDC     |


  @req-ROLE-2
  Scenario Outline: A role mapping without an admin rule is refused (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    When Acme's admin maps IdP groups to roles:
      | group      | role  |
      | ml-readers | read  |
      | ml-writers | write |
    Then Acme's role mapping is refused because no rule grants admin [ROLE-2]

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


  @req-ROLE-3
  Scenario Outline: Several groups match and the most privileged role wins (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory in groups "ml-readers, ml-admins, ml-writers"
    And Acme maps IdP groups to roles:
      | group      | role  |
      | ml-readers | read  |
      | ml-writers | write |
      | ml-admins  | admin |
    When Alice signs in to Acme through SSO
    Then Alice is a member of Acme with role admin [ROLE-3]

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


  @req-ROLE-4
  Scenario Outline: No group matches and the invitation's role applies (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme's default role is contributor
    And Alice is in Acme's <vendor> directory in group "everyone"
    And Acme maps IdP group "ml-admins" to role admin
    And Acme has invited Alice with role write
    When Alice signs in to Acme through SSO
    Then Alice is a member of Acme with role write [ROLE-4]

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


  @req-ROLE-4
  Scenario Outline: No group matches and no invitation: the organisation's default role applies (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme's default role is contributor
    And Alice is in Acme's <vendor> directory in group "everyone"
    And Acme maps IdP group "ml-admins" to role admin
    When Alice signs in to Acme through SSO
    Then Alice is a member of Acme with role contributor [ROLE-4]

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


  @req-ROLE-5
  Scenario Outline: A group change at the IdP shows at the next sign-in (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory in group "ml-admins"
    And Acme maps IdP groups to roles:
      | group      | role  |
      | ml-admins  | admin |
      | ml-readers | read  |
    And Alice has signed in to Acme through SSO
    And Acme's IdP moves Alice to group "ml-readers"
    When Alice signs in to Acme through SSO again
    Then Alice is a member of Acme with role read [ROLE-5]

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

