@basic
Feature: Basic SSO is an access layer over the platform's own accounts
  In Basic mode members keep their own platform accounts and passwords. SSO is asked for only
  when they reach the organisation's resources, and it only guards those.

  @req-BASIC-1
  Scenario Outline: Signed out, Acme's resources ask for the platform login first (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice has a platform account with her work email
    And Alice is in Acme's <vendor> directory
    When Alice opens Acme's repository "model"
    Then Alice is asked to sign in to the platform first [BASIC-1]

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


  @req-MODE-1 @req-PROTO-1
  Scenario Outline: Signed in to the platform, Alice reaches Acme's resources through SSO (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice has a platform account with her work email
    And Alice is in Acme's <vendor> directory
    And Alice has signed in to the platform with her password
    When Alice opens Acme's repository "model"
    Then Alice gets in through Acme's SSO [MODE-1, PROTO-1]
    And Alice reaches Acme's repository "model" [MODE-1]

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


  @req-MODE-1
  Scenario Outline: Basic SSO guards Acme's resources and nothing else (<vendor>, <protocol>)
    Given Acme is a Basic organisation using <vendor> over <protocol>
    And Acme has a repository "model"
    And Alice has a platform account with her work email
    And Alice is in Acme's <vendor> directory
    When Alice signs in to the platform with her password
    Then Alice must sign in through SSO to reach Acme's repository "model" [MODE-1]
    And Alice can create content in her personal namespace [MODE-1]

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

