@serial @clock
Feature: Organisation SSO sessions time out
  Each organisation's SSO session lasts its configured timeout, 7 days by default. After it,
  reaching the organisation's resources needs SSO again; a Basic member's platform login stays.
  Expiry never sends the IdP a logout request. Time is virtual: these scenarios move the clock
  the target and the IdPs share, so they run alone.

  @basic @req-SESS-1
  Scenario Outline: A session is still good just before the default 7 days (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Alice has opened Acme's repository "model"
    When 6 days pass
    Then Alice reaches Acme's repository "model" [SESS-1]

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


  @basic @req-SESS-1
  Scenario Outline: After the default 7 days Acme's resources need SSO again (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Alice has opened Acme's repository "model"
    When 7 days pass
    Then Alice must sign in through SSO again to reach Acme's repository "model" [SESS-1]

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


  @managed @req-SESS-1
  Scenario Outline: An organisation's own timeout applies (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme's SSO session timeout is 1 hour
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has opened Acme's repository "model"
    When 1 hour passes
    Then Alice must sign in through SSO again to reach Acme's repository "model" [SESS-1]

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


  @basic @req-SESS-2
  Scenario Outline: After expiry a Basic member keeps her platform login (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme's SSO session timeout is 1 hour
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Alice has opened Acme's repository "model"
    When 2 hours pass
    Then Alice must sign in through SSO again to reach Acme's repository "model" [SESS-2]
    And Alice is still signed in to the platform [SESS-2]

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


  @managed @req-SESS-2
  Scenario Outline: After expiry a managed member must sign in through SSO again (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has opened Acme's repository "model"
    When 8 days pass
    Then Alice must sign in through SSO again to reach Acme's repository "model" [SESS-2]

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


  @basic @req-SESS-4
  Scenario Outline: An expired session sends no logout request to the IdP (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme's SSO session timeout is 1 hour
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Alice has opened Acme's repository "model"
    When 2 hours pass
    Then Alice must sign in through SSO again to reach Acme's repository "model" [SESS-2]
    And the SP sent no logout request to Acme's IdP [SESS-4]

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

