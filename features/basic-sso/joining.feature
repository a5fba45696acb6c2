@basic
Feature: Joining a Basic organisation through SSO
  The SSO join link replaces plain invite links: following it runs SSO and joins the
  organisation. SSO is enforced by default; an organisation may make it optional.

  @req-BASIC-8
  Scenario Outline: The SSO join link runs SSO and joins Acme (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    When Alice follows Acme's SSO join link
    Then Alice gets in through Acme's SSO [BASIC-8]
    And Alice is a member of Acme with role read [BASIC-8]

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


  @req-BASIC-5
  Scenario Outline: An invitation is taken up by SSO through the join link (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Acme has invited Alice with role write
    When Alice follows Acme's SSO join link
    Then Alice is a member of Acme with role write [BASIC-5]
    And Acme's invitation is accepted [BASIC-5]

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


  @req-BASIC-6
  Scenario Outline: With SSO enforced, a member still needs SSO to reach Acme's resources (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Alice is a member of Acme with role write, added by an admin
    When Alice opens Acme's repository "model"
    Then Alice gets in through Acme's SSO [BASIC-6]

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


  @req-BASIC-6
  Scenario Outline: With SSO optional, a member skips SSO and sees a banner (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice is in Acme's <vendor> directory
    And Alice has a platform account with her work email
    And Alice has signed in to the platform with her password
    And Acme makes SSO optional
    And Alice is a member of Acme with role write, added by an admin
    When Alice opens Acme's repository "model"
    Then Alice gets in without SSO [BASIC-6]
    And Alice reaches Acme's repository "model" with an SSO banner [BASIC-6]

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

