@managed
Feature: External collaborators skip SSO, but resource groups still apply
  An organisation may add people from outside its IdP. They sign in with their own platform
  account, never through the organisation's SSO, and reach only their resource groups.

  @req-EXT-1
  Scenario Outline: Bob reaches his resource group's repository without SSO (Managed, <vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a resource group "models"
    And Acme has a repository "weights" in resource group "models"
    And Acme has a repository "plans"
    And Bob has a platform account with his work email
    And Bob is an external collaborator of Acme
    And Bob is in Acme's resource group "models" with role write
    And Bob has signed in to the platform with his password
    When Bob opens Acme's repository "weights"
    Then Bob gets in without SSO [EXT-1]

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


  @req-EXT-1
  Scenario Outline: Bob is refused Acme's repositories outside his resource groups (Managed, <vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a resource group "models"
    And Acme has a repository "weights" in resource group "models"
    And Acme has a repository "plans"
    And Bob has a platform account with his work email
    And Bob is an external collaborator of Acme
    And Bob is in Acme's resource group "models" with role write
    And Bob has signed in to the platform with his password
    When Bob opens Acme's repository "plans"
    Then Bob is refused Acme's repository "plans" [EXT-1]

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

