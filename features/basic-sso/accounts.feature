@basic
Feature: Basic SSO links personal accounts by email and leaves them personal
  The IdP's email must be one of the platform account's emails. The account stays the user's
  own: they keep their personal namespace and may belong to several organisations.

  @req-BASIC-2
  Scenario Outline: SSO links Alice's own account and leaves it hers (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    When Alice signs in to Acme through SSO
    Then Alice is still signed in with her own personal account [BASIC-2]
    And Alice is a member of Acme [BASIC-2]

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


  @req-BASIC-3
  Scenario Outline: After SSO Alice still creates content in her personal namespace (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    When Alice signs in to Acme through SSO
    Then Alice can create content in her personal namespace [BASIC-3]

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


  @req-BASIC-7
  Scenario Outline: An IdP email that is none of the account's emails is refused (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with a personal email only
    And Alice has signed in to the platform with her password
    When Alice signs in to Acme through SSO
    Then Alice's sign-in is refused because her IdP email matches none of her account's emails [BASIC-7]
    And Alice is not a member of Acme [BASIC-7]

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


  @req-BASIC-4
  Scenario Outline: A personal account belongs to several organisations (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Alice is in Acme's <vendor> directory
    And Globex is a Basic organisation using Okta over SAML
    And Alice is in Globex's Okta directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Alice has signed in to Acme through SSO
    When Alice follows Globex's SSO join link
    Then Alice is a member of Globex [BASIC-4]
    And Alice is a member of Acme [BASIC-4]

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

