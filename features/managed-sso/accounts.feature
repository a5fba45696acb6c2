@managed
Feature: Managed SSO: the IdP owns the accounts and guards the whole platform
  Accounts are created on the first IdP sign-in and belong to the organisation. There is no
  password login for them, no personal content, and no other organisation.

  @req-MAN-2
  Scenario Outline: The first IdP sign-in creates Alice's account and joins Acme (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    When Alice signs in to Acme through SSO
    Then Alice is signed in to the platform as a managed account of Acme [MAN-2]
    And Alice is a member of Acme [MAN-2]

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

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |


  @req-MAN-2
  Scenario Outline: A later IdP sign-in finds the same account (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to Acme through SSO
    When Alice signs in to Acme through SSO again
    Then Acme has exactly 1 member [MAN-2]
    And Alice is signed in to the platform as a managed account of Acme [MAN-2]

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

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |


  @req-MODE-2 @req-PROTO-1
  Scenario Outline: Signed out, Acme's resources lead straight to SSO and to a platform login (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    When Alice opens Acme's repository "model"
    Then Alice gets in through Acme's SSO [MODE-2, PROTO-1]
    And Alice is signed in to the platform as a managed account of Acme [MODE-2]

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

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |


  @req-MAN-1
  Scenario Outline: A managed account has no password login (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to Acme through SSO
    When Alice tries to sign in to the platform with a password
    Then Alice's password sign-in is refused because the IdP owns her account [MAN-1]

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

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |


  @req-MAN-3
  Scenario Outline: A managed account may not create content in its personal namespace (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    When Alice signs in to Acme through SSO
    Then Alice cannot create content in her personal namespace [MAN-3]

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

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |


  @req-MAN-4
  Scenario Outline: A managed account cannot join another organisation (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Globex is a Basic organisation using Okta over SAML
    And Alice is in Globex's Okta directory
    And Alice has signed in to Acme through SSO
    When Alice follows Globex's SSO join link
    Then Alice's sign-in is refused because another organisation manages her account [MAN-4]
    And Alice is not a member of Globex [MAN-4]

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

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |


  @req-MAN-6
  Scenario Outline: Deactivating a managed account ends its session at once (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to Acme through SSO
    When Acme deprovisions Alice
    Then Alice is signed out of the platform [MAN-6]

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

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |


  @req-MAN-6
  Scenario Outline: A deactivated managed account cannot sign in through SSO (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to Acme through SSO
    And Acme has deprovisioned Alice
    When Alice signs in to Acme through SSO again
    Then Alice's sign-in is refused because her account is deactivated [MAN-6]

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

    @google @oidc
    Examples: Google over OIDC
      | vendor | protocol |
      | Google | OIDC     |

