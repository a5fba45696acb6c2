@managed
Feature: Resource group mapping from the IdP's groups
  Each rule maps an IdP group to a resource group and a role in it. The user joins every matched
  group; with no match, no group.

  @req-RG-1
  Scenario Outline: A mapped IdP group places Alice in its resource group with the rule's role (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a resource group "models"
    And Acme has a repository "weights" in resource group "models"
    And Alice is in Acme's <vendor> directory in group "ml-team"
    And Acme maps IdP group "ml-team" to resource group "models" with role write
    When Alice signs in to Acme through SSO
    Then Alice's resource groups in Acme are [RG-1]:
      | resource group | role  |
      | models         | write |
    And Alice reaches Acme's repository "weights" [RG-1]

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


  @req-RG-2
  Scenario Outline: Every matched IdP group adds its resource group (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a resource group "models"
    And Acme has a resource group "datasets"
    And Alice is in Acme's <vendor> directory in groups "ml-team, data-team"
    And Acme maps IdP group "ml-team" to resource group "models" with role read
    And Acme maps IdP group "data-team" to resource group "datasets" with role write
    When Alice signs in to Acme through SSO
    Then Alice's resource groups in Acme are [RG-2]:
      | resource group | role  |
      | datasets       | write |
      | models         | read  |

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


  @req-RG-3
  Scenario Outline: No matching IdP group, no resource group (<vendor>, <protocol>)
    Given Acme is a Managed organisation using <vendor> over <protocol>
    And Acme has a resource group "models"
    And Acme has a repository "weights" in resource group "models"
    And Alice is in Acme's <vendor> directory in group "sales"
    And Acme maps IdP group "ml-team" to resource group "models" with role write
    When Alice signs in to Acme through SSO
    Then Alice is in no resource group of Acme [RG-3]
    And Alice is refused Acme's repository "weights" [RG-3]

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

